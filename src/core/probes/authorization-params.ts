import { randomValue } from '../pkce.js';
import { describeOutcome, frontChannelBroken, param } from '../front-channel.js';
import type { Probe } from './types.js';

/** RFC 6749 §3.1: "The authorization server MUST ignore unrecognized request parameters." */
export const unknownParameter: Probe = {
  ids: ['probe.unknown_parameter'],
  name: 'unknown authorization parameter',
  needs: 'user',
  async run(env, c) {
    const name = 'oidc_cli_probe_unknown';
    const outcome = await env.front!.authorize({ extra: [[name, randomValue(8)]] });
    const broken = outcome.response ? undefined : await frontChannelBroken(env.front!);
    if (param(outcome, 'code')) c.pass('probe.unknown_parameter', `${name}=… was ignored: a code was issued`);
    else if (broken) c.skip('probe.unknown_parameter', broken);
    else c.violation('probe.unknown_parameter', `with the unknown parameter ${name} the IdP answered ${describeOutcome(outcome)}; expected a code`);
  },
};

/** RFC 6749 §3.1.1: response_type is REQUIRED; without it no code may be issued. */
export const responseTypeMissing: Probe = {
  ids: ['probe.response_type_missing'],
  name: 'response_type missing',
  needs: 'user',
  async run(env, c) {
    const outcome = await env.front!.authorize({ omit: ['response_type'], expectRefusal: true });
    if (param(outcome, 'code')) c.violation('probe.response_type_missing', 'an authorization request without response_type got a code');
    else c.pass('probe.response_type_missing', `an authorization request without response_type got ${describeOutcome(outcome)}`);
  },
};

/**
 * OIDC Core §3.1.2.1: prompt=none shows no page; without a session the answer is error=login_required
 * at the redirect_uri. Each probe's browser starts without cookies, so there is no session.
 */
export const promptNone: Probe = {
  ids: ['probe.prompt_none'],
  name: 'prompt=none without a session',
  needs: 'user',
  async run(env, c) {
    // A redirect with an error is what a sound IdP sends: the normal wait applies.
    const outcome = await env.front!.authorize({ extra: [['prompt', 'none']] });
    const broken = outcome.response ? undefined : await frontChannelBroken(env.front!);
    if (broken) return void c.skip('probe.prompt_none', broken);
    const error = param(outcome, 'error');
    if (error === 'login_required') c.pass('probe.prompt_none', `prompt=none without a session got ${describeOutcome(outcome)}`);
    else if (param(outcome, 'code')) c.violation('probe.prompt_none', 'prompt=none without a session got a code: the IdP signed the browser in through a page, or without asking anyone');
    else if (outcome.response) c.violation('probe.prompt_none', `prompt=none without a session got ${describeOutcome(outcome)}; expected error=login_required`);
    else c.violation('probe.prompt_none', `prompt=none without a session did not come back to the redirect_uri (${outcome.noResponse}); expected a redirect with error=login_required`);
  },
};

/**
 * RFC 6749 §4.1.2.1: a refusal comes back to the client as error=access_denied. The browser command is
 * asked to refuse (OIDC_CLI_SIGN_IN=deny in its environment); one that signs in anyway cannot tell us
 * anything, and the probe says so.
 */
export const consentDenied: Probe = {
  ids: ['probe.consent_denied'],
  name: 'sign-in refused',
  needs: 'user',
  async run(env, c) {
    const outcome = await env.front!.authorize({ refuse: true });
    const error = param(outcome, 'error');
    if (error === 'access_denied') return void c.pass('probe.consent_denied', `the refused sign-in came back with ${describeOutcome(outcome)}`);
    if (param(outcome, 'code')) return void c.skip('probe.consent_denied', 'the browser command signed in anyway: it does not read OIDC_CLI_SIGN_IN=deny (or the IdP asked nothing to refuse), so the refusal could not be tried');
    if (outcome.response) return void c.violation('probe.consent_denied', `the refused sign-in came back with ${describeOutcome(outcome)}; expected error=access_denied`);
    const broken = await frontChannelBroken(env.front!);
    if (broken) return void c.skip('probe.consent_denied', broken);
    c.violation('probe.consent_denied', `after the sign-in was refused nothing came back to the redirect_uri (${outcome.noResponse}); expected a redirect with error=access_denied`);
  },
};
