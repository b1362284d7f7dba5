import { CheckRecorder } from '../checks/recorder.js';
import { judgeAgreement } from '../core/introspection-checks.js';
import { introspect, judgeIntrospection, probeIntrospection, type TokenTypeHint } from '../core/introspection.js';
import { usageError } from '../errors.js';
import type { Report, Section } from '../report/model.js';
import { redact } from '../util/redact.js';
import type { Context } from './context.js';
import { cachedVerdict, locallyValid, openSession, tokenArgument, warnIfExpired, type SessionFlags } from './lifecycle-session.js';

export interface IntrospectOptions extends SessionFlags {
  token?: string;
  tokenTypeHint?: string;
  /** false with --no-probes. */
  probes?: boolean;
}

export function parseHint(value: string | undefined): TokenTypeHint | undefined {
  if (value === undefined || value === 'access_token' || value === 'refresh_token') return value;
  throw usageError(`--token-type-hint: "${value}" is not access_token or refresh_token`);
}

/** Why a token that verifies locally can be inactive: the lesson RFC 7662 exists to teach. */
export const INACTIVE_BUT_VALID =
  'The token verifies locally (signature and expiry) but the IdP says it is inactive. Local verification cannot see revocation: ' +
  'the token was revoked (or its grant ended: logout, refresh token reuse), or the IdP will not describe a token issued to another client or audience. ' +
  'An API that must honour revocation has to introspect, or keep access tokens short-lived.';

/** The agreement column: ✔ / ✖ for the compared claims, empty for the rest. */
function agreement(c: CheckRecorder, claim: string): string {
  const status = c.results.find((check) => check.id === `introspection.agree.${claim}`)?.status;
  return status === 'pass' ? '✔' : status === 'warn' || status === 'fail' ? '✖ differs' : '';
}

export async function run(options: IntrospectOptions, context: Context): Promise<Report> {
  const asked = parseHint(options.tokenTypeHint);
  const session = await openSession(options, context, { useCache: true });
  const cachedKind = asked ?? 'access_token';
  const { token, source } = await tokenArgument(options.token, context, () => session.cached?.[cachedKind], cachedKind.replace('_', ' '));
  session.http.addSecret(token);
  warnIfExpired(session, source);
  const cacheEntry = cachedVerdict(session, source);
  // A cached token's type is known; an argument's is only what the user says.
  const hint = asked ?? (source === 'cache' ? 'access_token' : undefined);
  const target = { introspection_endpoint: session.endpoint('introspection_endpoint'), client: session.credentials, issuer: session.client.issuer };
  const show = context.globals.showTokens;

  context.ui.step('Introspection (RFC 7662)');
  context.ui.explain('Only the IdP knows whether a token is still alive: introspection asks it, local verification cannot.');
  context.ui.detail(`token=${redact(token, show)}${hint ? ` token_type_hint=${hint}` : ''}, client authentication ${session.credentials.method}`);
  const answer = await introspect(session.http, target, token, hint);
  context.ui.detail(`← HTTP ${answer.status}${answer.body ? ` active=${JSON.stringify(answer.body.active)}` : ''}`);
  const c = new CheckRecorder();
  const active = judgeIntrospection(answer, c);

  context.ui.step('Local verification');
  const local = await session.validate(token, hint === 'refresh_token' ? 'jwt' : 'access_token', { clientId: session.client.client_id });
  if (!local) context.ui.detail('not a JWT: only the IdP can tell what it holds');
  const valid = locallyValid(local);

  if (active === true) c.pass('introspection.active', 'the IdP says the token is active');
  else if (active === false) c.violation('introspection.active', `the IdP says the token is inactive${valid ? ', yet it verifies locally' : ''}`);
  else c.skip('introspection.active', 'no usable introspection answer');

  const rows = judgeAgreement(answer.body ?? {}, local?.parsed.payload, active, c);
  if (local) c.merge(local.checks);
  if (options.probes !== false) {
    context.ui.step('Probes: unauthenticated call, random token, wrong token_type_hint');
    await probeIntrospection(session.http, target, token, hint ?? 'access_token', active, c);
  } else {
    for (const id of ['introspection.requires_auth', 'introspection.unknown_token', 'introspection.token_type_hint'] as const) c.skip(id, 'probes off (--no-probes)');
  }

  const sections: Section[] = [
    {
      title: 'Introspection',
      kind: 'fields',
      fields: [
        ['endpoint', target.introspection_endpoint],
        ['token', `${redact(token, show)} (${source}${hint ? `, ${hint}` : ''})`],
        ['active (IdP)', active === undefined ? 'unknown' : String(active)],
        ['local verification', local ? (valid ? 'valid' : `invalid: ${local.signature.verified ? 'claims' : local.signature.reason ?? 'signature'}`) : 'not a JWT'],
      ],
    },
    local
      ? { title: 'Claims', kind: 'table', columns: ['claim', 'introspection', 'token (local)', 'agree'], rows: rows.map(([claim, a, b]) => [claim, a, b, agreement(c, claim)]) }
      : { title: 'Claims (introspection; the token itself is opaque)', kind: 'table', columns: ['claim', 'introspection'], rows: rows.map(([claim, a]) => [claim, a]) },
  ];
  const data: Record<string, unknown> = {
    issuer: session.client.issuer,
    client_id: session.client.client_id,
    token: redact(token, show),
    token_source: source,
    ...(cacheEntry ? { cache_entry: cacheEntry } : {}),
    active: active ?? null,
    introspection: answer.body ?? null,
    local: local ? { valid, signature: local.signature, payload: local.parsed.payload ?? null } : null,
  };
  if (active === false && valid) {
    sections.push({ title: 'Why is a valid token inactive?', kind: 'text', text: INACTIVE_BUT_VALID });
    data.explanation = INACTIVE_BUT_VALID;
  }
  return { command: 'introspect', checks: c.results, data, sections };
}
