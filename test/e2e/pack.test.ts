import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'oidc-cli-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the published package', () => {
  it('npm pack installs into a fresh prefix and `oidc-cli --help` runs from there', () => {
    const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } });
    // dist/ is already built by `npm test`; --ignore-scripts keeps pack from rebuilding under running tests.
    npm(['pack', '--ignore-scripts', '--pack-destination', work], ROOT);
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const prefix = join(work, 'prefix');
    npm(['install', '--prefix', prefix, '--no-audit', '--no-fund', '--omit=dev', join(work, tarball!)], work);
    const help = execFileSync(join(prefix, 'node_modules', '.bin', 'oidc-cli'), ['--help'], { encoding: 'utf8' });
    expect(help).toMatch(/Usage: oidc-cli/);
    expect(help).toMatch(/decode/);
    // Tests, fixtures and sources stay out of the tarball.
    const listed = readdirSync(join(prefix, 'node_modules', 'oidc-cli'));
    // docs/ ships so the README's links work from an installed copy; LICENSE because package.json says MIT.
    expect(listed).toEqual(expect.arrayContaining(['bin', 'dist', 'docs', 'package.json', 'LICENSE', 'README.md']));
    expect(listed).not.toEqual(expect.arrayContaining(['src']));
    expect(listed).not.toEqual(expect.arrayContaining(['test']));
    expect(readdirSync(join(prefix, 'node_modules', 'oidc-cli', 'dist')).sort()).toEqual(['man', 'src']);
    // man oidc-cli works from the installed package (package.json "man").
    expect(readdirSync(join(prefix, 'node_modules', 'oidc-cli', 'dist', 'man'))).toEqual(['oidc-cli.1']);
  }, 180_000);
});
