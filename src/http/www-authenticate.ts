import { cut } from '../util/show.js';
/**
 * WWW-Authenticate (RFC 9110 §11.6.1): one or more challenges, each an auth-scheme followed by a
 * token68 or by comma-separated auth-params (`name=token` or `name="quoted string"`). Bearer
 * challenges carry realm, scope, error, error_description, error_uri (RFC 6750 §3) and, for
 * protected resources, resource_metadata (RFC 9728 §5.1).
 */
export interface Challenge {
  /** As sent; compare case-insensitively (RFC 9110 §11.1). */
  scheme: string;
  /** Parameter names lower-cased (they are case-insensitive); the last of a repeated name wins. */
  params: Record<string, string>;
  token68?: string;
}

export type ParsedChallenges = { ok: true; challenges: Challenge[] } | { ok: false; reason: string };

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;

/** Parses a header value; a syntax error is reported with where it happened, never thrown. */
export function parseWwwAuthenticate(header: string): ParsedChallenges {
  const challenges: Challenge[] = [];
  let rest = header.trim();
  const fail = (what: string): ParsedChallenges => ({ ok: false, reason: `${what} at "${cut(rest)}"` });
  const skipSpace = () => (rest = rest.replace(/^[ \t]+/, ''));
  if (rest === '') return { ok: false, reason: 'the header is empty' };
  while (rest !== '') {
    const scheme = TOKEN.exec(rest)?.[0];
    if (!scheme) return fail('expected an auth-scheme');
    rest = rest.slice(scheme.length);
    const challenge: Challenge = { scheme, params: {} };
    challenges.push(challenge);
    skipSpace();
    // auth-param form when a name is followed by "=" and a value; otherwise a token68 (whose "="
    // padding is followed by nothing, a comma or a space), or a scheme alone.
    const isParam = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*=[ \t]*["!#$%&'*+.^_`|~0-9A-Za-z-]/.test(rest);
    const token68 = isParam ? undefined : TOKEN68.exec(rest)?.[0];
    if (token68 && (rest.length === token68.length || /^[ \t,]/.test(rest.slice(token68.length)))) {
      challenge.token68 = token68;
      rest = rest.slice(token68.length);
      skipSpace();
    } else {
      // auth-params until the next challenge (a token not followed by "=")
      while (rest !== '') {
        const name = TOKEN.exec(rest)?.[0];
        if (!name) break;
        const after = rest.slice(name.length).replace(/^[ \t]*/, '');
        if (!after.startsWith('=')) break; // the next challenge's scheme
        rest = after.slice(1).replace(/^[ \t]*/, '');
        let value: string;
        if (rest.startsWith('"')) {
          const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
          if (!quoted) return fail(`unterminated quoted value for ${name}`);
          value = quoted[1]!.replace(/\\(.)/g, '$1');
          rest = rest.slice(quoted[0].length);
        } else {
          const bare = TOKEN.exec(rest)?.[0];
          if (!bare) return fail(`expected a value for ${name}`);
          value = bare;
          rest = rest.slice(bare.length);
        }
        challenge.params[name.toLowerCase()] = value;
        skipSpace();
        if (!rest.startsWith(',')) break;
        rest = rest.slice(1);
        skipSpace();
        while (rest.startsWith(',')) rest = rest.slice(1).trimStart();
      }
    }
    skipSpace();
    if (rest.startsWith(',')) {
      rest = rest.slice(1);
      skipSpace();
    } else if (rest !== '' && !TOKEN.test(rest)) return fail('unexpected text');
  }
  return { ok: true, challenges };
}

/** The Bearer challenge of a header, if there is one (scheme compared case-insensitively). */
export function bearerChallenge(header: string | undefined): { challenge?: Challenge; problem?: string } {
  if (header === undefined) return { problem: 'no WWW-Authenticate header' };
  const parsed = parseWwwAuthenticate(header);
  if (!parsed.ok) return { problem: `WWW-Authenticate is malformed: ${parsed.reason}` };
  const challenge = parsed.challenges.find((c) => c.scheme.toLowerCase() === 'bearer');
  return challenge ? { challenge } : { problem: `WWW-Authenticate has no Bearer challenge (schemes: ${parsed.challenges.map((c) => c.scheme).join(', ')})` };
}
