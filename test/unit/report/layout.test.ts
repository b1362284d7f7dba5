// The human report laid out for a terminal (src/report/layout.ts, human.ts): lines fit the width,
// messages wrap under their column, long words are elided in the middle, secrets are masked before any
// cut, and check leads with its findings on a terminal.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderHuman } from '../../../src/report/human.js';
import { elideMiddle, fitColumns, wrap, type Layout } from '../../../src/report/layout.js';
import type { Report } from '../../../src/report/model.js';
import { SecretRegistry } from '../../../src/report/secrets.js';

const c = new Chalk({ level: 0 });
const longest = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length));

describe('layout helpers', () => {
  it('wrap breaks at spaces, never past the width, and elides a word longer than a line', () => {
    expect(wrap('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrap(`see https://idp.example.com/${'x'.repeat(80)}/jwks now`, 30).every((line) => line.length <= 30)).toBe(true);
    expect(wrap('short', 30)).toEqual(['short']);
  });

  it('elideMiddle keeps the start and the end', () => {
    expect(elideMiddle('https://idp.example.com/realms/demo/protocol/openid-connect/certs', 30)).toBe('https://idp.exampl…nnect/certs');
    expect(elideMiddle('abc', 30)).toBe('abc');
  });

  it('fitColumns takes space from the widest column until the row fits', () => {
    expect(fitColumns([5, 60, 10], 50)).toEqual([5, 31, 10]);
    expect(fitColumns([5, 10], 50)).toEqual([5, 10]);
  });
});

const report: Report = {
  command: 'check',
  checks: [
    { id: 'discovery.issuer_match', status: 'pass', message: '"https://idp.example.com" is identical to the issuer discovered', spec: 'OIDC Discovery §4.3' },
    { id: 'token_response.no_store', status: 'fail', message: `Cache-Control is "public, max-age=3600, and a long tail of directives that goes on"`, spec: 'RFC 6749 §5.1', hint: 'Send Cache-Control: no-store with every token response, so no cache between the client and the server keeps one.' },
  ],
  data: {},
  sections: [{ title: 'Check', kind: 'fields', fields: [['jwks_uri', `https://idp.example.com/${'k'.repeat(120)}/jwks`]] }],
};

describe('renderHuman with a layout', () => {
  const layout = (width: number, findingsFirst = false, mask = (text: string) => text): Layout => ({ width, mask, findingsFirst });

  it('every line fits 80 and 120 columns; without a layout (a pipe) lines stay whole', () => {
    for (const width of [80, 120]) expect(longest(renderHuman(report, c, false, layout(width)))).toBeLessThanOrEqual(width);
    expect(longest(renderHuman(report, c, false))).toBeGreaterThan(120);
  });

  it('a wrapped message continues under its own column', () => {
    const text = renderHuman(report, c, false, layout(80));
    const at = text.indexOf('✖ token_response.no_store');
    const column = text.slice(at).indexOf('Cache-Control') + (at - text.lastIndexOf('\n', at) - 1);
    const next = text.slice(text.indexOf('\n', at) + 1).split('\n')[0]!;
    expect(next.slice(0, column).trim()).toBe('');
  });

  it('check on a terminal leads with its findings and leaves the passing lines to --all', () => {
    const text = renderHuman(report, c, false, layout(100, true));
    expect(text.startsWith('Findings\n')).toBe(true);
    expect(text).toContain('✖ token_response.no_store');
    expect(text).not.toContain('discovery.issuer_match');
    expect(text).toContain('1 passing and skipped checks not listed: --all lists every check');
    // check --all: every line, in the Checks block, as in a CI log.
    const all = renderHuman({ ...report, listAll: true }, c, false, layout(100, true));
    expect(all).not.toContain('Findings');
    expect(all).toContain('✔ discovery.issuer_match');
    expect(all).toContain('✖ token_response.no_store');
  });

  it('a secret is masked before a value is wrapped or elided, so no part of it survives the cut', () => {
    // A client secret may hold spaces: wrapped after the gate, its halves would sit on two lines, each
    // too short for the gate to recognise.
    const secret = 'S3cr3tVALUE abcdefghijklmn opqrstuvwxyz 0123456789';
    const secrets = new SecretRegistry();
    secrets.add(secret);
    const leaky: Report = { ...report, sections: [{ title: 'Echo', kind: 'fields', fields: [['said', `the IdP answered invalid_client for the client secret ${secret} and more words after it`]] }] };
    const text = secrets.mask(renderHuman(leaky, c, false, layout(60, false, (t) => secrets.mask(t))));
    expect(text).toContain('[redacted]');
    for (const part of secret.split(' ')) expect(text).not.toContain(part);
  });
});
