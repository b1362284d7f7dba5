// runLogin in-process against the scripted IdP of test/support/scripted-idp.ts, one fault each: every
// misbehaviour is caught by its own check id (CHECKS.md). The binary's part of the same story (exit 1,
// the login kept in the cache flagged with those ids, what stderr says) is test/e2e/login-faults.test.ts.
import { describe, expect, it } from 'vitest';
import { runLogin } from '../../../src/core/login-flow.js';
import { isOk } from '../../../src/report/model.js';
import { scriptedBrowser } from '../../support/http-browser-port.js';
import { withScriptedIdp, type Fault } from '../../support/scripted-idp.js';
import { loginSettings, recordingUi, testHttp } from './flow-deps.js';

async function loginAgainst(fault: Fault) {
  return withScriptedIdp(fault, async (idp) => {
    const ui = recordingUi();
    const http = testHttp(ui);
    const settings = loginSettings(idp.issuer, { client_id: idp.client_id, method: 'none' });
    try {
      return { result: await runLogin(settings, { http, ui, browser: scriptedBrowser(), signal: new AbortController().signal }), ui };
    } finally {
      await http.close();
    }
  });
}

const failed = (checks: Array<{ id: string; status: string }>) => checks.filter((c) => c.status === 'fail').map((c) => c.id);

// The cause first; a token whose alg or key is refused is also, consequently, not verified.
const CASES: Array<[Fault, string, ...string[]]> = [
  // followed on the same origin, so the login still runs to its end and reports everything else
  ['discovery_redirect_slash', 'discovery.redirect'],
  ['no_state', 'authorization.state'],
  ['wrong_state', 'authorization.state'],
  ['wrong_iss_param', 'authorization.iss'],
  ['access_denied', 'authorization.error'],
  ['code_in_fragment', 'authorization.code_in_query'],
  ['repeated_code', 'authorization.repeated_params'],
  ['wrong_aud', 'id_token.aud'],
  ['expired', 'id_token.exp'],
  ['iat_future', 'id_token.iat'],
  ['missing_nonce', 'id_token.nonce'],
  ['wrong_nonce', 'id_token.nonce'],
  ['alg_none', 'id_token.alg', 'id_token.signature'],
  ['bad_signature', 'id_token.signature'],
  ['unknown_kid', 'id_token.key', 'id_token.signature'],
  ['wrong_iss', 'id_token.iss'],
  ['at_hash_mismatch', 'id_token.at_hash'],
  ['hs256', 'id_token.alg', 'id_token.signature'],
  ['no_store_missing', 'token_response.no_store'],
  ['userinfo_wrong_sub', 'userinfo.sub'],
];

describe('runLogin against a scripted IdP', () => {
  it('without a fault: every check passes (the baseline the faults below differ from)', async () => {
    const { result } = await loginAgainst('none');
    expect(failed(result.checks)).toEqual([]);
    expect(isOk(result, false)).toBe(true);
    expect(result.tokens?.access_token).toEqual(expect.any(String));
  });

  it.each(CASES)('%s → %s fails, the verdict fails', async (fault, ...ids) => {
    const { result } = await loginAgainst(fault);
    expect(failed(result.checks)).toEqual(ids);
    expect(isOk(result, false)).toBe(false);
    // A response that failed in the front channel is never redeemed: no tokens, nothing judged after it.
    if (ids[0]!.startsWith('authorization.')) {
      expect(result.tokens).toBeUndefined();
      expect(result.checks.some((c) => c.id.startsWith('token_response.'))).toBe(false);
    } else expect(result.tokens).toBeDefined();
  });

  it('an IdP without RFC 9207 iss (neither sent nor advertised): authorization.iss warns, the login completes', async () => {
    const { result } = await loginAgainst('no_iss_unadvertised');
    expect(failed(result.checks)).toEqual([]);
    expect(result.checks.find((c) => c.id === 'authorization.iss')).toMatchObject({ status: 'warn', message: expect.stringContaining('mix-up defence') });
  });

  it('wrong_state: the message quotes what came back, and the login stops before the token request', async () => {
    const { result } = await loginAgainst('wrong_state');
    expect(result.checks.find((c) => c.id === 'authorization.state')?.message).toContain('not-the-state-that-was-sent');
    expect(result.stoppedAt).toMatch(/the authorization response failed its checks; the code was not redeemed/);
  });

  it('access_denied: the IdP error and its description', async () => {
    const { result } = await loginAgainst('access_denied');
    expect(result.checks.find((c) => c.id === 'authorization.error')?.message).toBe('the IdP answered error=access_denied ("The user said no")');
    expect(result.stoppedAt).toBe('the IdP answered error=access_denied');
  });

  it('expired: the clock comparison with the IdP\'s Date header', async () => {
    const { result } = await loginAgainst('expired');
    const check = result.checks.find((c) => c.id === 'id_token.exp');
    // Minted an hour before "now"; a loaded machine may add a second or two before the judge runs.
    expect(check?.message).toMatch(/expired 1h( \d+s)? ago/);
    expect(check?.message).toMatch(/clock agrees with the IdP's Date header/);
  });
});
