/**
 * `npm run bench`: the performance targets of issue 17, measured side by side on this machine.
 * Builds nothing itself (the npm script builds first); generates its own keys and tokens in a temp
 * dir; starts the local oidc-provider (test/support/idp.ts) for `check` and for a cached token;
 * alternates A and B runs and compares medians; prints one line per target with its measured value
 * and its goal, and exits 1 when one is missed.
 *
 * Sizes can be changed for exploration: BENCH_TOKENS (throughput, default 100000), BENCH_ROUNDS
 * (throughput rounds, default 3), BENCH_LIMIT_MS (length of one limit run, default 3000), BENCH_STARTS
 * (cold-start rounds, default 25), BENCH_MEMORY_SMALL and BENCH_MEMORY_LARGE (default 10000 and
 * 300000), BENCH_MEMORY_ROUNDS (default 3), BENCH_CHECK_ROUNDS (default 3), BENCH_MASK_ROUNDS (default 5).
 */
import { spawn } from 'node:child_process';
import { cpSync, createReadStream, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nonBlankLines } from '../src/util/lines.js';
import { makeKeys, writeTokenFile } from './bench-fixtures.js';
import { measureMasking } from './bench-mask.js';
import { alternate, median, peakRss, type Run, runOnce, type Variant } from './bench-measure.js';
import { startIdp, type Idp } from '../test/support/idp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LIMIT = fileURLToPath(new URL('./bench-limit.js', import.meta.url));
const BROWSER_SCRIPT = join(ROOT, 'test', 'support', 'browser.mjs');
const RSS_PRELOAD = pathToFileURL(fileURLToPath(new URL('./bench-rss.js', import.meta.url))).href;

const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const TOKENS = setting('BENCH_TOKENS', 100_000);
const ROUNDS = setting('BENCH_ROUNDS', 3);
const STARTS = setting('BENCH_STARTS', 25);
const MEMORY_SMALL = setting('BENCH_MEMORY_SMALL', 10_000);
const MEMORY_LARGE = setting('BENCH_MEMORY_LARGE', 300_000);
const LIMIT_MS = setting('BENCH_LIMIT_MS', 3000);
const CHECK_ROUNDS = setting('BENCH_CHECK_ROUNDS', 3);

/** The script hot path (`$(oidc-cli token)`, `decode <token>`, `--version`) next to bare Node. */
const COLD_START_MAX_RATIO = 1.15;
/** Batch verification: at least this share of what every core verifies in a tight node:crypto loop. */
const THROUGHPUT_MIN_SHARE = 0.5;
/** `check` against the local oidc-provider, every probe, seconds. */
const CHECK_MAX_SECONDS = 3;
/** "Flat" memory: the large input may use at most this much more peak RSS than the small one. */
const MEMORY_MAX_GROWTH_MB = 16;
const MEMORY_ROUNDS = setting('BENCH_MEMORY_ROUNDS', 3);
/** Masking 1 MiB with 100 times the secrets may cost at most this much more (linear, not secrets × text). */
const MASK_MAX_RATIO = 3;
const MASK_ROUNDS = setting('BENCH_MASK_ROUNDS', 5);

interface Row {
  target: string;
  a: string;
  b: string;
  ratio: string;
  goal: string;
  met: boolean;
}

const rows: Row[] = [];
const ms = (value: number) => `${value.toFixed(1)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const startedAt = Date.now();
const log = (line: string) => process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
const node = (...args: string[]): string[] => [process.execPath, ...args];
let BIN = join(ROOT, 'bin', 'oidc-cli.js');

/**
 * Measures a copy of the build just made (bin, dist/src, package.json), so a `tsc` run in the working
 * tree meanwhile cannot swap the bundle for the unbundled fallback halfway through the bench.
 */
function snapshotBuild(dir: string): void {
  const app = join(dir, 'app');
  for (const path of ['bin', 'dist/src', 'package.json']) cpSync(join(ROOT, path), join(app, path), { recursive: true, preserveTimestamps: true });
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
  const bundle = statSync(join(app, 'dist/src/bundle/oidc-cli.cjs'), { throwIfNoEntry: false });
  if (!bundle || bundle.mtimeMs < statSync(join(app, 'dist/src/main.js')).mtimeMs) {
    throw new Error('dist/src/bundle/oidc-cli.cjs is missing or older than dist/src/main.js (tsc ran after the bundle): run `npm run bench` again');
  }
  BIN = join(app, 'bin', 'oidc-cli.js');
}

/** A run of the CLI that talks to the in-process IdP: spawned without blocking this thread, which serves it. */
function runAsync(argv: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - start, code, stdout, stderr }));
  });
}

/** Where `login` caches the token that `oidc-cli token` then prints (a throwaway XDG home). */
function idpEnv(dir: string, idp: Idp): NodeJS.ProcessEnv {
  return { ...process.env, XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clients.public.client_id, OIDC_CLIENT_SECRET: undefined, BROWSER: undefined };
}

async function login(dir: string, idp: Idp): Promise<void> {
  const run = await runAsync(node(BIN, 'login', '--browser-command', `${process.execPath} ${BROWSER_SCRIPT}`), idpEnv(dir, idp));
  if (run.code !== 0) throw new Error(`login for the cached token exited ${run.code}: ${run.stderr.slice(0, 500)}`);
}

async function coldStart(token: string, env: NodeJS.ProcessEnv): Promise<void> {
  log(`script hot path: ${STARTS} rounds of node -e 0 / oidc-cli --version / decode <token> / token (cached), alternating`);
  const variants: Variant[] = [
    { label: 'node -e 0', argv: node('-e', '0') },
    { label: 'oidc-cli --version', argv: node(BIN, '--version') },
    { label: 'oidc-cli decode <token>', argv: node(BIN, 'decode', token) },
    { label: 'oidc-cli token (cached)', argv: node(BIN, 'token'), env },
  ];
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const check = (variant: Variant, run: Run) => {
    if (variant === variants[1] && run.stdout.trim() !== version) throw new Error(`--version printed ${JSON.stringify(run.stdout)}`);
    if (variant === variants[2] && !run.stdout.includes('Payload')) throw new Error(`decode printed no payload: ${run.stdout.slice(0, 200)}`);
    if (variant === variants[3] && !/^[\x21-\x7e]{20,}\n$/.test(run.stdout)) throw new Error('token printed no token');
  };
  const times = (await alternate(variants, STARTS, 3, check)).map(median);
  log(`  medians: ${variants.map((variant, i) => `${variant.label} ${ms(times[i]!)}`).join(', ')}`);
  const floor = times[0]!;
  for (const i of [1, 2, 3]) {
    const ratio = times[i]! / floor;
    rows.push({ target: `hot path: ${variants[i]!.label}`, a: `node -e 0 ${ms(floor)}`, b: ms(times[i]!), ratio: `${ratio.toFixed(2)}x`, goal: `<= ${COLD_START_MAX_RATIO}x`, met: ratio <= COLD_START_MAX_RATIO });
  }
}

/** Every line of a decode --json run must say the token verified: speed without the work is no speed. */
async function checkAllVerified(file: string, expected: number): Promise<void> {
  let lines = 0;
  let verified = 0;
  for await (const line of nonBlankLines(createReadStream(file))) {
    lines += 1;
    if (line.line.includes('"ok":true') && line.line.includes('"verified":true')) verified += 1;
  }
  if (lines !== expected || verified !== expected) throw new Error(`decode printed ${lines} lines, ${verified} verified; expected ${expected}`);
}

/**
 * Tokens per second of `decode --jwks --json -` (wall clock of the whole run, start-up included) against
 * the machine's limit: what every core verifies per second in a tight node:crypto loop over the same
 * signatures (scripts/bench-limit.ts). The two alternate, so a busy moment of the machine hits both.
 */
async function throughput(dir: string, jwksFile: string, tokenFile: string): Promise<void> {
  const cores = availableParallelism();
  log(`batch verification: ${ROUNDS} rounds of ${TOKENS} tokens through oidc-cli decode --jwks --json -, alternating with ${LIMIT_MS / 1000} s of a node:crypto verify loop on each of ${cores} cores`);
  const out = join(dir, 'out.ndjson');
  const limitRun: Variant = { label: 'limit', argv: node(LIMIT, jwksFile, tokenFile, String(LIMIT_MS)) };
  const cliRun: Variant = { label: 'oidc-cli decode --jwks --json -', argv: node(BIN, 'decode', '--jwks', jwksFile, '--json', '-'), stdinFile: tokenFile, stdoutFile: out };
  const limits: number[] = [];
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    limits.push(Number(runOnce(limitRun).stdout.trim()));
    const run = runOnce(cliRun);
    await checkAllVerified(out, TOKENS);
    rates.push(TOKENS / (run.ms / 1000));
  }
  rmSync(out);
  log(`  runs: limit ${limits.map((rate) => `${Math.round(rate)}/s`).join(' / ')}; oidc-cli ${rates.map((rate) => `${Math.round(rate)}/s`).join(' / ')}`);
  const limit = median(limits);
  const rate = median(rates);
  const share = rate / limit;
  rows.push({
    target: `batch: ${TOKENS} RS256+ES256 tokens`,
    a: `limit ${Math.round(limit)}/s (${cores} cores)`,
    b: `${Math.round(rate)}/s`,
    ratio: `${(100 * share).toFixed(0)}%`,
    goal: `>= ${100 * THROUGHPUT_MIN_SHARE}% of limit`,
    met: share >= THROUGHPUT_MIN_SHARE,
  });
}

/** `check` with every probe (a confidential client and a headless sign-in) against the local oidc-provider. */
async function checkRun(dir: string, idp: Idp): Promise<void> {
  log(`check: ${CHECK_ROUNDS} runs of oidc-cli check against the local oidc-provider (every probe, headless sign-in)`);
  const secretFile = join(dir, 'basic.secret');
  writeFileSync(secretFile, idp.clients.basic.client_secret, { mode: 0o600 });
  const argv = node(BIN, 'check', '--issuer', idp.issuer, '--client-id', idp.clients.basic.client_id, '--client-secret-file', secretFile, '--browser-command', `${process.execPath} ${BROWSER_SCRIPT}`);
  const env = { ...idpEnv(join(dir, 'check'), idp), OIDC_CLIENT_ID: undefined };
  const times: number[] = [];
  for (let round = 0; round < CHECK_ROUNDS; round++) {
    const run = await runAsync(argv, env);
    if (run.code !== 0) throw new Error(`check exited ${run.code}: ${run.stdout.slice(-800)}${run.stderr.slice(-500)}`);
    times.push(run.ms);
  }
  log(`  runs: ${times.map(ms).join(' / ')}`);
  const time = median(times);
  rows.push({ target: 'check: local oidc-provider, every probe', a: '', b: `${(time / 1000).toFixed(2)} s`, ratio: '', goal: `< ${CHECK_MAX_SECONDS} s`, met: time < CHECK_MAX_SECONDS * 1000 });
}

async function memory(dir: string, jwksFile: string, tokens: string[]): Promise<void> {
  log(`memory: peak RSS of oidc-cli decode --jwks --json - over ${MEMORY_SMALL} and ${MEMORY_LARGE} tokens`);
  const smallFile = join(dir, `memory-${MEMORY_SMALL}.txt`);
  const largeFile = join(dir, `memory-${MEMORY_LARGE}.txt`);
  await writeTokenFile(smallFile, tokens, MEMORY_SMALL);
  await writeTokenFile(largeFile, tokens, MEMORY_LARGE);
  // Output to /dev/null: exit code 0 already says every token verified (any failed check exits 1).
  const peak = (count: number, file: string) =>
    peakRss({ label: `decode ${count}`, argv: node(BIN, 'decode', '--jwks', jwksFile, '--json', '-'), stdinFile: file, stdoutFile: '/dev/null' }, RSS_PRELOAD, join(dir, 'rss'));
  // A single peak is noisy (when V8 happens to collect): alternate and compare medians, as for time.
  const smalls: number[] = [];
  const larges: number[] = [];
  for (let round = 0; round < MEMORY_ROUNDS; round++) {
    smalls.push(peak(MEMORY_SMALL, smallFile));
    larges.push(peak(MEMORY_LARGE, largeFile));
  }
  rmSync(smallFile);
  rmSync(largeFile);
  log(`  peaks: ${MEMORY_SMALL}: ${smalls.map(mb).join(' / ')}; ${MEMORY_LARGE}: ${larges.map(mb).join(' / ')}`);
  const small = median(smalls);
  const large = median(larges);
  const growth = large - small;
  rows.push({
    target: `memory: ${MEMORY_LARGE} vs ${MEMORY_SMALL} tokens`,
    a: `${MEMORY_SMALL}: ${mb(small)}`,
    b: `${MEMORY_LARGE}: ${mb(large)}`,
    ratio: `${growth >= 0 ? '+' : ''}${mb(growth)}`,
    goal: `<= +${MEMORY_MAX_GROWTH_MB} MB`,
    met: growth <= MEMORY_MAX_GROWTH_MB * 1024 * 1024,
  });
}

function masking(): void {
  log(`masking: ${MASK_ROUNDS} rounds of 1 MiB of trace text through the output gate, few secrets vs many, alternating`);
  const cost = measureMasking(MASK_ROUNDS);
  log(`  medians: ${cost.fewSecrets} secrets ${ms(cost.few)}, ${cost.manySecrets} secrets ${ms(cost.many)}`);
  const ratio = cost.many / cost.few;
  rows.push({ target: `masking: 1 MiB, ${cost.manySecrets} vs ${cost.fewSecrets} secrets`, a: `${cost.fewSecrets}: ${ms(cost.few)}`, b: `${cost.manySecrets}: ${ms(cost.many)}`, ratio: `${ratio.toFixed(2)}x`, goal: `<= ${MASK_MAX_RATIO}x`, met: ratio <= MASK_MAX_RATIO });
}

function printTable(): void {
  const header: Row = { target: 'target', a: 'A (median)', b: 'oidc-cli (median)', ratio: 'ratio', goal: 'goal', met: true };
  const cells = (row: Row) => [row.target, row.a, row.b, row.ratio, row.goal, row === header ? 'result' : row.met ? 'met' : 'MISSED'];
  const all = [header, ...rows].map(cells);
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  const lines = [line(all[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...all.slice(1).map(line)];
  process.stdout.write(`\n${lines.join('\n')}\n\nmachine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${process.platform}/${process.arch}\n`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'oidc-cli-bench-'));
  const load = loadavg();
  let idp: Idp | undefined;
  try {
    snapshotBuild(dir);
    log(`fixtures in ${dir}: an RS256 and an ES256 key, 2000 distinct tokens; load average ${load.map((value) => value.toFixed(2)).join(' ')}`);
    const { jwksFile, tokens } = makeKeys(dir, 2000);
    const tokenFile = join(dir, 'tokens.txt');
    await writeTokenFile(tokenFile, tokens, TOKENS);
    idp = await startIdp();
    await login(dir, idp);
    await coldStart(tokens[0]!, idpEnv(dir, idp));
    await checkRun(dir, idp);
    await throughput(dir, jwksFile, tokenFile);
    await memory(dir, jwksFile, tokens);
    masking();
  } finally {
    await idp?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable();
  process.stdout.write(`(whole bench: ${((Date.now() - startedAt) / 1000).toFixed(0)} s; load average ${loadavg().map((value) => value.toFixed(2)).join(' ')} at the end: other work on the machine slows both sides of each comparison)\n`);
  const missed = rows.filter((row) => !row.met);
  if (missed.length > 0) {
    process.stdout.write(`missed: ${missed.map((row) => row.target).join('; ')}\n`);
    process.exitCode = 1;
  }
}

await main();
