// Shared by the property tests in test/fuzz: how many runs, and what "ends well" means for one input.
import fc from 'fast-check';
import { expect } from 'vitest';
import { checkDefinition } from '../../src/checks/catalogue.js';
import type { CheckResult } from '../../src/checks/types.js';
import { CliError, type ErrorCode } from '../../src/errors.js';
import { renderHuman } from '../../src/report/human.js';
import { renderJson } from '../../src/report/json.js';
import type { Section } from '../../src/report/model.js';
import { makeChalk } from '../../src/ui/color.js';

/**
 * Runs per property: small by default so `npm test` stays fast; `npm run fuzz` sets FUZZ_RUNS=20000.
 * FUZZ_SEED replays a failure that fast-check reported.
 */
export const FUZZ_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS) || 150);
export const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
/** Time for one property: generous, and growing with FUZZ_RUNS for the long run. */
export const FUZZ_TIMEOUT_MS = 60_000 + FUZZ_RUNS * 20;

export const params = (runs = FUZZ_RUNS): fc.Parameters<unknown> => ({ numRuns: runs, ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }) });

const DOCUMENTED: ReadonlySet<ErrorCode> = new Set(['USAGE', 'INPUT', 'NETWORK', 'TLS', 'TIMEOUT', 'PROTOCOL']);
const STATUSES = new Set(['pass', 'fail', 'warn', 'skip']);

/** An error a user may see: a CliError with a documented code and a one-line message. Anything else fails. */
export function expectCliError(error: unknown, codes: readonly ErrorCode[] = [...DOCUMENTED]): void {
  if (!(error instanceof CliError)) throw error;
  expect(codes).toContain(error.code);
  expect(error.message).not.toMatch(/\n/);
  expect(error.message.length).toBeGreaterThan(0);
}

/** Calls fn; returns its result, or undefined when it threw an acceptable CliError. */
export async function reportOrCliError<T>(fn: () => T | Promise<T>, codes?: readonly ErrorCode[]): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    expectCliError(error, codes);
    return undefined;
  }
}

const chalk = makeChalk(false);

/**
 * Every check well formed, and the report renders both ways (JSON must parse back), with `sections`
 * (a key table, a payload with its time notes) as the commands draw them.
 */
export function expectRenderable(command: string, checks: readonly CheckResult[], data: Record<string, unknown> = {}, sections: readonly Section[] = []): void {
  for (const check of checks) {
    expect(STATUSES.has(check.status), check.id).toBe(true);
    expect(typeof check.message).toBe('string');
    expect(() => checkDefinition(check.id)).not.toThrow();
  }
  const report = { command, checks: [...checks], data, sections: [{ title: 'Data', kind: 'json' as const, value: data }, ...sections] };
  JSON.parse(renderJson(report, false));
  const human = renderHuman(report, chalk, false);
  // Whatever the input held, nothing reaches a terminal that could move the cursor or rewrite a line.
  expect(human).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  // Nor a member of Object.prototype found by a name the input chose ("constructor" → function Object()).
  expect(human).not.toMatch(/\[native code\]/);
}

/** Objects that break String() and template literals, or try prototype pollution, as JSON.parse makes them. */
const poisoned = ['{"toString":null}', '{"toString":false,"valueOf":null}', '{"__proto__":{"polluted":true}}', '["a",{"toString":null}]', '{"constructor":{"prototype":{"x":1}}}'].map((text) => JSON.parse(text) as unknown);

/** JSON values of every shape, including the awkward ones (huge numbers, unicode, -0, nesting, poisoned objects). */
export const jsonValue: fc.Arbitrary<unknown> = fc.oneof({ weight: 9, arbitrary: fc.jsonValue({ maxDepth: 4 }) }, { weight: 1, arbitrary: fc.constantFrom(...poisoned) });

/**
 * Names every plain object inherits. A value used as a key into a table of known names (alg, kty, crv,
 * a registry, a profile) must find nothing for these, not a member of Object.prototype.
 */
export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupGetter__'] as const;
export const prototypeName: fc.Arbitrary<string> = fc.constantFrom(...PROTOTYPE_NAMES);

/** Strings an IdP or an attacker could put anywhere: unicode, control characters, lone surrogates, prototype names. */
export const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', 'null', '../../etc/passwd', '\u0000', '\ud800', 'https://evil.example', 'a'.repeat(5000)),
  prototypeName,
);

/**
 * Numbers a server may send where a time or a lifetime belongs: past what a Date holds (1e300, 1e20),
 * negative, fractional, milliseconds for seconds, and Infinity (JSON.parse('1e400') gives it).
 */
export const outOfRangeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(1e300, -1e300, 1e20, -1, 0, -0, 0.5, 8.64e12, 8.64e12 + 1, 1e11, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity, 2 ** 31, 2 ** 31 - 1, 1_700_000_000_000),
  fc.double({ noNaN: true }),
  fc.integer(),
);

/** Objects, arrays and other non-strings where a string belongs (kid, sub, iss, aud, nonce, scope...). */
export const notAString: fc.Arbitrary<unknown> = fc.oneof(fc.constantFrom(...poisoned), fc.object({ maxDepth: 2 }), fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }), fc.integer(), fc.boolean(), fc.constant(null));

/** Strings carrying C1 control characters (U+0080-U+009F: CSI, OSC... in many terminals) and C0 ones. */
export const c1String: fc.Arbitrary<string> = fc
  .tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\u009b2J', '\u009d0;pwned\u009c', '\u0085', '\u0090', '\u009f', '\u001b[31m', '\r', '\u0007'), fc.string({ maxLength: 10 }))
  .map(([a, c, b]) => `${a}${c}${b}`);

/** Any of the above, for a member whose type the judge must check before use. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(outOfRangeNumber, notAString, c1String, nastyString, jsonValue);

/** Five dot-separated parts (JWE compact shape, RFC 7516 §7.1), with a header that may or may not parse. */
export const fivePartToken: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(fc.constant({ alg: 'RSA-OAEP', enc: 'A256GCM' }), fc.constant({ alg: 'dir', enc: 'A128GCM', kid: { toString: null } }), jsonValue), fc.array(fc.base64String({ maxLength: 12 }), { minLength: 4, maxLength: 4 }))
  .map(([header, rest]) => [Buffer.from(JSON.stringify(header) ?? 'x').toString('base64url'), ...rest.map((part) => part.replace(/[+/=]/g, ''))].join('.'));
