import { describeOutcome, param } from '../front-channel.js';
import type { Probe } from './types.js';

/**
 * RFC 9101 §10.5: an IdP that publishes require_signed_request_object must refuse a request object with
 * alg none. The probe sends the parameters as one, unsigned, as an attacker writing in the client's name would.
 */
export const jarUnsigned: Probe = {
  ids: ['probe.jar_unsigned'],
  name: 'JAR unsigned request object',
  needs: 'user',
  async run(env, c) {
    if (!env.jarRequired) return void c.skip('probe.jar_unsigned', 'the IdP does not require signed request objects (no require_signed_request_object)');
    const outcome = await env.front!.authorize({ unsignedRequestObject: true, expectRefusal: true });
    if (param(outcome, 'code')) c.violation('probe.jar_unsigned', 'an unsigned request object (alg none) got a code, though the metadata says require_signed_request_object');
    else c.pass('probe.jar_unsigned', `an unsigned request object (alg none) got ${describeOutcome(outcome)}`);
  },
};
