import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT, SET_FOR_CHILDREN, environmentHelp } from '../../src/environment.js';

const ROOT = new URL('../../', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the environment variables (oidc-cli help environment)', () => {
  it('lists every variable the code reads (env.NAME, env[\'NAME\'], commander .env(), the proxy and XDG names)', () => {
    const read = new Set<string>();
    // src/github/ is the GitHub Action's report step: it reads the runner's GITHUB_* files, oidc-cli does not.
    for (const file of sources(join(ROOT, 'src')).filter((path) => !path.endsWith('environment.ts') && !path.includes('/src/github/'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)|\.env\('([A-Z][A-Z0-9_]+)'\)|xdgBase\(env, '([A-Z_]+)'/g)) read.add((match[1] ?? match[2] ?? match[3])!);
    }
    const listed = new Set(ENVIRONMENT.map((e) => e.name));
    expect([...read].filter((name) => !listed.has(name)).sort()).toEqual([]);
    expect(read.size).toBeGreaterThan(10);
  });

  it('the README table names the same variables', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Environment variables'));
    for (const { name } of [...ENVIRONMENT, ...SET_FOR_CHILDREN]) expect(table, name).toContain(`\`${name}\``);
  });

  it('help environment also names what oidc-cli sets for a --browser-command (OIDC_CLI_SIGN_IN)', () => {
    expect(environmentHelp()).toMatch(/Set by oidc-cli for the programs it starts:\n\n {2}OIDC_CLI_SIGN_IN +for a --browser-command/);
  });
});
