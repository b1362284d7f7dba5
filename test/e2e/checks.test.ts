// `oidc-cli checks`: the catalogue as users read it, human and --json, with each check's hint.
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/checks/catalogue.js';
import { runCli } from '../support/cli.js';

describe('oidc-cli checks', () => {
  it('lists every id with severity, spec and title; --json carries the hints too', async () => {
    const human = await runCli(['checks']);
    expect(human.code).toBe(0);
    for (const { id } of CATALOGUE) expect(human.stdout).toContain(id);
    expect(human.stdout).toContain('-v adds each hint');
    const json = await runCli(['checks', '--json']);
    const doc = json.json<{ catalogue: Array<{ id: string; hint?: string }> }>();
    expect(doc.catalogue).toHaveLength(CATALOGUE.length);
    expect(doc.catalogue.find((d) => d.id === 'discovery.registry_values')?.hint).toMatch(/a warning for the descriptive ones/);
  });

  it('one id shows its whole definition, hint included; a prefix narrows the list; -v adds the hint column', async () => {
    // an id that is also the prefix of another (discovery.endpoint_host_vouched) shows itself
    const one = await runCli(['checks', 'discovery.endpoint_host']);
    expect(one.stdout).toMatch(/severity +info/);
    expect(one.stdout).toMatch(/hint +A note, never a warning: no spec ties endpoints to the issuer's host/);
    expect(one.stdout).not.toMatch(/severity +warning/);
    const group = await runCli(['checks', 'jwks.']);
    expect(group.stdout).toContain('jwks.kid_format');
    expect(group.stdout).not.toContain('discovery.');
    const verbose = await runCli(['checks', '-v', 'jwks.']);
    expect(verbose.stdout).toMatch(/kid has no syntax/);
  });
});
