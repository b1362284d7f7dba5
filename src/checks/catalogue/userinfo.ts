import type { CheckDefinition } from '../types.js';

/** Checks on the userinfo response (CHECKS.md "Userinfo"): OIDC Core §5.3, RFC 6750. Judged in src/core/userinfo.ts. */
export const USERINFO_CHECKS = [
  {
    id: 'userinfo.status',
    title: 'Userinfo answers 200 with JSON or a signed JWT',
    spec: 'OIDC Core §5.3.2, RFC 6750 §2.1',
    severity: 'error',
    hint: 'Send the access token as "Authorization: Bearer"; a 401/403 usually means the token lacks the openid scope or is for another audience.',
  },
  {
    id: 'userinfo.sub',
    title: 'sub equals the ID token\'s sub',
    spec: 'OIDC Core §5.3.2',
    severity: 'error',
    hint: 'The userinfo response must describe the same end-user as the ID token; a different sub means the responses may have been substituted.',
  },
  {
    id: 'userinfo.signed',
    title: 'Signed userinfo verifies, with iss and aud right',
    spec: 'OIDC Core §5.3.2',
    severity: 'error',
    hint: 'A signed userinfo response is a JWT with the issuer\'s key, iss equal to the issuer and aud containing the client_id.',
  },
] as const satisfies readonly CheckDefinition[];
