// The GitHub Action (action.yml): its run step (action/run-check.sh) run exactly as the runner would,
// with the GITHUB_* files pointed at temp files, against small IdPs on loopback; and the summary and
// annotations it writes (src/github/report.ts).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotations } from '../../src/github/report.js';
import { ROOT } from '../support/cli.js';
import { BROWSER_SCRIPT } from '../support/idp-flow.js';
import { startIdp } from '../support/idp.js';
import { startMcpServer } from '../support/mcp-server.js';
import { startProbeIdp, type ProbeFault } from '../support/probe-idp.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oidc-action-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function runAction(fault: ProbeFault | undefined, inputs: Record<string, string> = {}) {
  const idp = await startProbeIdp({ faults: fault ? [fault] : [] });
  const runner = await mkdtemp(join(dir, 'runner-'));
  const files = { GITHUB_STEP_SUMMARY: join(runner, 'summary.md'), GITHUB_OUTPUT: join(runner, 'output'), RUNNER_TEMP: runner };
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...files,
    COLUMNS: undefined,
    XDG_CACHE_HOME: join(runner, 'cache'),
    XDG_CONFIG_HOME: join(runner, 'config'),
    INPUT_ISSUER: idp.issuer,
    INPUT_CLIENT_ID: idp.clients.basic.client_id,
    INPUT_CLIENT_SECRET: idp.clients.basic.client_secret,
    INPUT_BROWSER_COMMAND: `node ${BROWSER_SCRIPT}`,
    ...inputs,
  };
  try {
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn('bash', [join(ROOT, 'action/run-check.sh')], { env: env as NodeJS.ProcessEnv, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.stderr.resume();
      child.on('error', reject);
      child.on('close', (exit) => resolve({ code: exit, stdout: out }));
    });
    const read = (path: string) => readFile(path, 'utf8').catch(() => '');
    return { code, stdout, summary: await read(files.GITHUB_STEP_SUMMARY), output: await read(files.GITHUB_OUTPUT), runner, secret: idp.clients.basic.client_secret };
  } finally {
    await idp.close();
  }
}

describe('the GitHub Action run step', () => {
  it('a failing IdP: exit 1, an error annotation per failed check, a summary with the table, the outputs and the four files', { timeout: 120_000 }, async () => {
    const run = await runAction('code_reusable');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error title=probe\.code_reuse \(RFC 6749 §4\.1\.2[^)]*\)::the same code redeemed a second time: accepted/m);
    expect(run.summary).toMatch(/^## oidc-cli check — http:\/\/127\.0\.0\.1:\d+: ❌ failed$/m);
    expect(run.summary).toMatch(/\| ❌ \| `probe\.code_reuse` \| the same code redeemed a second time/);
    expect(run.output).toMatch(/^ok=false$/m);
    expect(run.output).toMatch(/^failed=1$/m);
    expect(run.output).toMatch(/^exit-code=1$/m);
    expect(run.output).toMatch(/^html=.*\/oidc-check\.html$/m);
    for (const name of ['oidc-check.json', 'oidc-check.xml', 'oidc-check.sarif', 'oidc-check.html']) expect((await readFile(join(run.runner, name), 'utf8')).length, name).toBeGreaterThan(100);
    // The client secret went through the environment: it is in no file the runner keeps.
    expect(run.summary + run.output + run.stdout).not.toContain(run.secret);
  });

  it('a sound IdP: exit 0, a passing summary, no error annotation', { timeout: 120_000 }, async () => {
    const run = await runAction(undefined);
    expect(run.code).toBe(0);
    expect(run.summary).toMatch(/: ✅ passed$/m);
    expect(run.stdout).not.toMatch(/^::error/m);
    expect(run.output).toMatch(/^ok=true$/m);
  });

  it('policy "rfc9700, fapi2-security": each becomes a --policy; their requirements are in the summary (fapi2 fails on a plain IdP)', { timeout: 120_000 }, async () => {
    const run = await runAction(undefined, { INPUT_POLICY: 'rfc9700, fapi2-security', INPUT_ONLY: 'fapi2,rfc9700' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error title=fapi2\.par /m);
    expect(run.summary).toMatch(/`fapi2\.client_auth`/);
    const report = JSON.parse(await readFile(join(run.runner, 'oidc-check.json'), 'utf8')) as { policies: string[]; checks: Array<{ id: string }> };
    expect(report.policies).toEqual(['rfc9700', 'fapi2-security']);
    expect(report.checks.some((c) => c.id === 'rfc9700.no_password')).toBe(true);
    expect(run.output).toMatch(/^exit-code=1$/m);
  });

  it('with a resource and no issuer: the MCP server\'s metadata names the IdP; resource checks in the summary, exit 0', { timeout: 120_000 }, async () => {
    const mcp = await startMcpServer();
    const idp = await startIdp({ resource: mcp.resource, registration: true });
    try {
      await mcp.trust(idp.issuer);
      const runner = await mkdtemp(join(dir, 'runner-'));
      const files = { GITHUB_STEP_SUMMARY: join(runner, 'summary.md'), GITHUB_OUTPUT: join(runner, 'output'), RUNNER_TEMP: runner };
      const env = { ...process.env, ...files, COLUMNS: undefined, XDG_CACHE_HOME: join(runner, 'cache'), XDG_CONFIG_HOME: join(runner, 'config'), INPUT_ISSUER: '', INPUT_RESOURCE: mcp.resource, INPUT_CLIENT_ID: idp.clients.basic.client_id, INPUT_CLIENT_SECRET: idp.clients.basic.client_secret, INPUT_BROWSER_COMMAND: `node ${BROWSER_SCRIPT}`, INPUT_ONLY: 'resource' };
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn('bash', [join(ROOT, 'action/run-check.sh')], { env: env as NodeJS.ProcessEnv, cwd: ROOT, stdio: 'ignore' });
        child.on('error', reject);
        child.on('close', resolve);
      });
      expect(code).toBe(0);
      const report = JSON.parse(await readFile(join(runner, 'oidc-check.json'), 'utf8')) as { issuer: string; resource: string; checks: Array<{ id: string; status: string }> };
      expect([report.issuer, report.resource]).toEqual([idp.issuer, mcp.resource]);
      // No expired token handed in, no DPoP, no other API named: those probes say why; every other resource check passes.
      expect(report.checks.filter((c) => c.status !== 'pass').map((c) => [c.id, c.status])).toEqual([['resource.dpop_bearer_refused', 'skip'], ['resource.reject_expired', 'skip'], ['resource.reject_other_audience', 'skip']]);
      expect(report.checks.every((c) => c.id.startsWith('resource.'))).toBe(true);
      expect(await readFile(files.GITHUB_OUTPUT, 'utf8')).toMatch(/^ok=true$/m);
    } finally {
      await mcp.close();
      await idp.close();
    }
  });

  it('annotations escape what the runner reads as commands (%, newlines, : and , in the title)', () => {
    const lines = annotations({ ok: false, checks: [{ id: 'x.y', status: 'fail', message: 'a%b\nc', spec: 'RFC 1, §2', hint: 'do: this' }] });
    expect(lines).toEqual(['::error title=x.y (RFC 1%2C §2)::a%25b%0Ac%0AHint: do: this']);
  });
});

// bash by its full path: one test empties PATH.
const BASH = execFileSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim();

describe('the GitHub Action sets up Node only when the runner has none recent enough', () => {
  it('with this Node (>= 20.19): setup=false, so the caller keeps its own Node for later steps; with an old one: setup=true', async () => {
    const runner = await mkdtemp(join(dir, 'node-'));
    const outputFile = join(runner, 'output');
    const run = (env: Record<string, string | undefined>) =>
      new Promise<number | null>((resolve, reject) => {
        const child = spawn(BASH, [join(ROOT, 'action/needs-node.sh')], { env: { ...process.env, GITHUB_OUTPUT: outputFile, ...env } as NodeJS.ProcessEnv, stdio: 'ignore' });
        child.on('error', reject);
        child.on('close', resolve);
      });
    expect(await run({})).toBe(0);
    expect(await readFile(outputFile, 'utf8')).toBe('setup=false\n');
    // No node on PATH at all (an empty PATH but bash's own location).
    await rm(outputFile);
    expect(await run({ PATH: '/nonexistent' })).toBe(0);
    expect(await readFile(outputFile, 'utf8')).toBe('setup=true\n');
  });
});
