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

/** RFC 9126 §7.3: a request_uri should be one-time; the probe opens the same reference a second time. */
export const parReuse: Probe = {
  ids: ['probe.par_reuse'],
  name: 'PAR request_uri used twice',
  needs: 'user',
  async run(env, c) {
    if (!env.pushes) return void c.skip('probe.par_reuse', 'no pushed requests in this run (the IdP does not require PAR; check --par pushes them)');
    const first = await env.front!.authorize();
    if (!param(first, 'code')) return void c.skip('probe.par_reuse', `the first use of the request_uri got ${describeOutcome(first)}: nothing to compare`);
    const second = await env.front!.authorize({ again: first, expectRefusal: true });
    if (param(second, 'code')) c.violation('probe.par_reuse', 'the same request_uri a second time: another code (a captured request_uri can be replayed)');
    else c.pass('probe.par_reuse', `the same request_uri a second time got ${describeOutcome(second)}`);
  },
};
