/**
 * The user-facing interaction routes of the test IdP (oidc-provider leaves these to the host
 * application): a login form, an automatic consent for our first-party clients, and a deny path
 * that ends the request with access_denied (RFC 6749 §4.1.2.1).
 */
import type { IncomingMessage } from 'node:http';
import { errorPage, loginPage } from './idp-pages.js';

export interface DemoUser {
  username: string;
  password: string;
  sub: string;
  name: string;
  given_name: string;
  family_name: string;
  email: string;
  email_verified: boolean;
}

// The shapes of the few oidc-provider/Koa objects used here (the package ships no types).
type KoaContext = any;
type OidcProvider = any;

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?$/;
const MAX_FORM_BYTES = 16 * 1024;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw Object.assign(new Error('form too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function html(ctx: KoaContext, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.body = body;
}

function seeOther(ctx: KoaContext, location: string): void {
  ctx.status = 303;
  ctx.set('cache-control', 'no-store');
  ctx.redirect(location);
}

/**
 * Consent for our own clients is implied (a first-party IdP does not ask); what was asked for is
 * recorded in a Grant, which oidc-provider requires before it issues anything.
 */
async function grantConsent(provider: OidcProvider, details: any): Promise<string> {
  const { prompt, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, (scopes as string[]).join(' '));
    }
  }
  const grantId = await grant.save();
  return details.grantId ? details.grantId : grantId;
}

export function interactionRoutes(provider: OidcProvider, mountPath: string, user: DemoUser) {
  return async function interactions(ctx: KoaContext, next: () => Promise<void>): Promise<void> {
    const match = ROUTE.exec(ctx.path);
    if (!match) return next();
    const [, uid, action] = match;
    try {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      if (details.uid !== uid) {
        html(ctx, 400, errorPage({ error: 'invalid_request', error_description: 'interaction does not match this browser session' }));
        return;
      }
      const client = await provider.Client.find(details.params.client_id);
      const clientName = client?.clientName ?? details.params.client_id;
      const form = {
        action: `${mountPath}/interaction/${uid}/login`,
        denyAction: `${mountPath}/interaction/${uid}/abort`,
        clientName,
        loginHint: details.params.login_hint,
      };

      if (action === 'abort') {
        const returnTo = await provider.interactionResult(ctx.req, ctx.res, {
          error: 'access_denied',
          error_description: 'End-User denied the authorization request',
        }, { mergeWithLastSubmission: false });
        seeOther(ctx, returnTo);
        return;
      }

      if (action === 'login') {
        if (ctx.method !== 'POST' || details.prompt.name !== 'login') {
          html(ctx, 400, errorPage({ error: 'invalid_request', error_description: 'no sign-in is pending here' }));
          return;
        }
        const body = await readForm(ctx.req);
        if (body.get('username') !== user.username || body.get('password') !== user.password) {
          html(ctx, 401, loginPage({ ...form, loginHint: body.get('username') ?? '', failed: true }));
          return;
        }
        const returnTo = await provider.interactionResult(ctx.req, ctx.res, {
          login: { accountId: user.sub, amr: ['pwd'] },
        }, { mergeWithLastSubmission: false });
        seeOther(ctx, returnTo);
        return;
      }

      if (details.prompt.name === 'login') {
        html(ctx, 200, loginPage(form));
        return;
      }
      if (details.prompt.name === 'consent') {
        const grantId = await grantConsent(provider, details);
        const returnTo = await provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
        seeOther(ctx, returnTo);
        return;
      }
      html(ctx, 400, errorPage({ error: 'invalid_request', error_description: `unsupported prompt ${details.prompt.name}` }));
    } catch (err) {
      const e = err as { error?: string; error_description?: string; error_detail?: string; status?: number };
      if (!e.error) throw err;
      html(ctx, e.status && e.status < 500 ? e.status : 400, errorPage({
        error: e.error,
        error_description: e.error_detail ?? e.error_description ?? 'the sign-in could not continue',
      }));
    }
  };
}
