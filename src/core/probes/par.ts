import { describeOutcome, param } from '../front-channel.js';
import type { Probe } from './types.js';

/**
 * RFC 9126 §5: an IdP that publishes require_pushed_authorization_requests must refuse a request that
 * was not pushed. The probe sends one through the browser, as a client unaware of PAR would.
 */
export const parRequired: Probe = {
  ids: ['probe.par_required'],
  name: 'PAR required',
  needs: 'user',
  async run(env, c) {
    if (!env.parRequired) return void c.skip('probe.par_required', 'the IdP does not require pushed authorization requests (no require_pushed_authorization_requests)');
    const outcome = await env.front!.authorize({ plain: true, expectRefusal: true });
    if (param(outcome, 'code')) c.violation('probe.par_required', 'an authorization request that was not pushed got a code, though the metadata says require_pushed_authorization_requests');
    else c.pass('probe.par_required', `an authorization request that was not pushed got ${describeOutcome(outcome)}`);
  },
};
