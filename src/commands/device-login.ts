import { CheckRecorder } from '../checks/recorder.js';
import { runDeviceLogin as deviceFlow } from '../core/device-flow.js';
import type { Report, Section } from '../report/model.js';
import { redact } from '../util/redact.js';
import { cacheReportData, entryFromTokens } from '../store/cache-policy.js';
import { browserFor } from '../ui/browser.js';
import type { Context } from './context.js';
import { DEFAULT_SCOPE, type LoginOptions } from './login-options.js';
import { cacheResponse, openSession } from './session.js';

const DEFAULT_TIMEOUT_SECONDS = 300;

/** `login --device` (RFC 8628): the flow is core/device-flow.ts; this wires the options, caches and reports. */
export async function runDeviceLogin(options: LoginOptions, context: Context): Promise<Report> {
  const session = await openSession(options, context, { useCache: false });
  const { client } = session;
  const scope = client.scope ?? DEFAULT_SCOPE;
  const browser = options.browserCommand ? browserFor({ noBrowser: false, command: options.browserCommand, print: (line) => context.ui.prompt(line) }) : undefined;
  const result = await deviceFlow(
    session.issuer,
    { scope, resource: options.resource, audience: options.audience, timeoutSeconds: context.globals.timeout ?? DEFAULT_TIMEOUT_SECONDS, insecure: context.globals.insecure },
    { browser, signal: context.signal },
  );
  const c = new CheckRecorder();
  c.merge(result.checks);
  const { authorization, tokens } = result;
  const data: Record<string, unknown> = { issuer: client.issuer, client_id: client.client_id, mode: 'device', flow: context.flowLog.events };
  if (!authorization) return { command: 'login', checks: c.results, data, sections: [] };
  data.device_authorization = { user_code: authorization.user_code, verification_uri: authorization.verification_uri, verification_uri_complete: authorization.verification_uri_complete ?? null, expires_in: authorization.expires_in, interval: authorization.interval };
  data.polls = result.polls;
  data.slow_downs = result.slowDowns;
  const sections: Section[] = [
    {
      title: 'Device authorization',
      kind: 'fields',
      fields: [
        ['verification_uri', authorization.verification_uri],
        ['user_code', authorization.user_code],
        ['polls', `${result.polls}${result.slowDowns ? ` (${result.slowDowns} slow_down)` : ''}, every ${authorization.interval} s`],
      ],
    },
  ];
  if (!tokens) return { command: 'login', checks: c.results, data, sections };

  const show = context.globals.showTokens;
  data.tokens = { access_token: redact(tokens.access_token, show), refresh_token: tokens.refresh_token ? redact(tokens.refresh_token, show) : null, id_token: tokens.id_token ? redact(tokens.id_token, show) : null, token_type: tokens.token_type ?? null, expires_in: tokens.expires_in ?? null, scope: tokens.scope ?? null };
  const claims = result.idToken?.payload;
  if (claims) {
    data.id_token_claims = claims;
    sections.push({ title: 'ID token claims', kind: 'json', value: claims });
  }
  // As for a browser login: cached with its verdict (store/cache-policy.ts).
  const entry = entryFromTokens({ issuer: client.issuer, client_id: client.client_id }, tokens, Math.floor(Date.now() / 1000), scope);
  data.cache = cacheReportData(await cacheResponse(session, entry, c.results, c));
  return { command: 'login', checks: c.results, data, sections };
}
