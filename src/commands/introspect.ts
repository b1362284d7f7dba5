import { introspectToken, parseHint } from '../core/introspection.js';
import type { Report, Section } from '../report/model.js';
import { redact } from '../util/redact.js';
import type { Context } from './context.js';
import { cachedVerdict, openSession, tokenFrom, warnIfExpired, type SessionFlags } from './session.js';

export interface IntrospectOptions extends SessionFlags {
  token?: string;
  tokenTypeHint?: string;
  /** false with --no-probes. */
  probes?: boolean;
}

/** Why a token that verifies locally can be inactive: the lesson RFC 7662 exists to teach. */
export const INACTIVE_BUT_VALID =
  'The token verifies locally (signature and expiry) but the IdP says it is inactive. Local verification cannot see revocation: ' +
  'the token was revoked (or its grant ended: logout, refresh token reuse), or the IdP will not describe a token issued to another client or audience. ' +
  'An API that must honour revocation has to introspect, or keep access tokens short-lived.';

export async function run(options: IntrospectOptions, context: Context): Promise<Report> {
  const asked = parseHint(options.tokenTypeHint);
  const session = await openSession(options, context, { useCache: true, token: options.token });
  const cachedKind = asked ?? 'access_token';
  const { token, source } = await tokenFrom(session, options.token, () => session.cached?.[cachedKind], cachedKind.replace('_', ' '));
  session.issuer.http.addToken(token);
  warnIfExpired(session, source);
  const cacheEntry = cachedVerdict(session, source);
  // A cached token's type is known; an argument's is only what the user says.
  const hint = asked ?? (source === 'cache' ? 'access_token' : undefined);
  const show = context.globals.showTokens;

  const result = await introspectToken(session.issuer, { token, hint, judgeAs: hint === 'refresh_token' ? 'jwt' : 'access_token', probes: options.probes !== false });
  const { active, local, valid, rows } = result;
  const agreement = (claim: string) => {
    const status = result.checks.find((check) => check.id === `introspection.agree.${claim}`)?.status;
    return status === 'pass' ? '✔' : status === 'warn' || status === 'fail' ? '✖ differs' : '';
  };
  const sections: Section[] = [
    {
      title: 'Introspection',
      kind: 'fields',
      fields: [
        ['endpoint', result.endpoint],
        ['token', `${redact(token, show)} (${source}${hint ? `, ${hint}` : ''})`],
        ['active (IdP)', active === undefined ? 'unknown' : String(active)],
        ['local verification', local ? (valid ? 'valid' : `invalid: ${local.signature.verified ? 'claims' : local.signature.reason ?? 'signature'}`) : 'not a JWT'],
      ],
    },
    local
      ? { title: 'Claims', kind: 'table', columns: ['claim', 'introspection', 'token (local)', 'agree'], rows: rows.map(([claim, a, b]) => [claim, a, b, agreement(claim)]) }
      : { title: 'Claims (introspection; the token itself is opaque)', kind: 'table', columns: ['claim', 'introspection'], rows: rows.map(([claim, a]) => [claim, a]) },
  ];
  const data: Record<string, unknown> = {
    issuer: session.client.issuer,
    client_id: session.client.client_id,
    token: redact(token, show),
    token_source: source,
    ...(cacheEntry ? { cache_entry: cacheEntry } : {}),
    active: active ?? null,
    introspection: result.answer.body ?? null,
    local: local ? { valid, signature: local.signature, payload: local.payload ?? null } : null,
  };
  if (active === false && valid) {
    sections.push({ title: 'Why is a valid token inactive?', kind: 'text', text: INACTIVE_BUT_VALID });
    data.explanation = INACTIVE_BUT_VALID;
  }
  return { command: 'introspect', checks: result.checks, data, sections };
}
