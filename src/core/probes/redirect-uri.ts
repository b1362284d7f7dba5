import { ALTERED_PATH, describeOutcome } from '../front-channel.js';
import { freshCode, judgeRefused, redeem, type Probe } from './types.js';

/**
 * RFC 6749 §4.1.2.1, RFC 9700 §4.1: an unregistered redirect_uri must get an error page and no redirect,
 * not even one carrying an error. The altered URI points at a second listener of ours, so an open
 * redirect is observed when the browser arrives there, not guessed from a status code.
 */
export const redirectUriAltered: Probe = {
  ids: ['probe.redirect_uri_altered'],
  name: 'redirect_uri altered (authorization)',
  needs: 'user',
  async run(env, c) {
    // Both alterations at once: each has its own listener, and either arrival is an open redirect.
    const outcomes = await Promise.all((['path', 'query'] as const).map((altered) => env.front!.authorize({ altered, expectRefusal: true })));
    const open = outcomes.filter((outcome) => outcome.response);
    if (open.length) {
      const list = open.map((outcome) => `${outcome.redirect_uri} with ${describeOutcome(outcome)}`).join('; and to ');
      return void c.violation('probe.redirect_uri_altered', `open redirect: the IdP sent the browser to the unregistered ${list}`);
    }
    c.pass('probe.redirect_uri_altered', `no redirect to the unregistered ${outcomes.map((o) => o.redirect_uri).join(' or ')}, their listeners saw nothing: ${outcomes[0]!.noResponse}`);
  },
};

/**
 * RFC 8252 §7.3: a native client listens on whatever loopback port is free, so the IdP must accept the
 * registered loopback redirect URI on any port. The registered URI is sent with another port, watched by
 * a listener of its own: the browser arriving there (with a code, or even an error) shows the IdP
 * redirected to it.
 */
export const loopbackAnyPort: Probe = {
  ids: ['probe.loopback_any_port'],
  name: 'loopback redirect_uri on another port',
  needs: 'user',
  async run(env, c) {
    const outcome = await env.front!.authorize({ otherPort: true });
    if (outcome.response) return void c.pass('probe.loopback_any_port', `${outcome.redirect_uri} (another port) was accepted: ${describeOutcome(outcome)}`);
    c.violation('probe.loopback_any_port', `the registered redirect URI on another port, ${outcome.redirect_uri}, was not redirected to (${outcome.noResponse}): this IdP compares the port too, so a native client needs one fixed, registered port (--redirect-uri)`);
  },
};

/** RFC 6749 §4.1.3: redirect_uri in the token request must be identical to the authorization request's. */
export const redirectUriToken: Probe = {
  ids: ['probe.redirect_uri_token'],
  name: 'redirect_uri mismatch (token)',
  needs: 'user',
  async run(env, c) {
    const got = await freshCode(env, c, this.ids);
    if (!got) return;
    const other = new URL(got.outcome.redirect_uri);
    other.pathname = ALTERED_PATH;
    const response = await redeem(env, { code: got.code, redirect_uri: other.toString(), code_verifier: got.outcome.code_verifier });
    judgeRefused('probe.redirect_uri_token', response, `a code issued for ${got.outcome.redirect_uri}, redeemed with redirect_uri ${other.toString()}`, 'invalid_grant', c);
  },
};
