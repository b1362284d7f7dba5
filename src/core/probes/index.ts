import { consentDenied, promptNone, responseTypeMissing, unknownParameter } from './authorization-params.js';
import { clientSecretWrong } from './client-secret.js';
import { codeReuse } from './code-reuse.js';
import { jarUnsigned } from './jar.js';
import { otherAudience } from './other-audience.js';
import { parRequired, parReuse } from './par.js';
import { pkceDowngrade, pkceMissing, pkcePlain, pkceWrong } from './pkce.js';
import { loopbackAnyPort, redirectUriAltered, redirectUriToken } from './redirect-uri.js';
import { refreshUnknown } from './refresh-unknown.js';
import { tokenGet } from './token-method.js';
import { userinfoChallenges, userinfoQueryToken } from './userinfo.js';
import type { Probe } from './types.js';

/** Every active probe, in report order (CHECKS.md "Active probes for `check`"). */
export const PROBES: readonly Probe[] = [
  codeReuse,
  pkceMissing,
  pkceWrong,
  pkceDowngrade,
  pkcePlain,
  redirectUriAltered,
  loopbackAnyPort,
  redirectUriToken,
  clientSecretWrong,
  unknownParameter,
  responseTypeMissing,
  promptNone,
  consentDenied,
  parRequired,
  parReuse,
  jarUnsigned,
  tokenGet,
  refreshUnknown,
  userinfoChallenges,
  userinfoQueryToken,
  // Only with check --resource (run.ts leaves the resource.* probes out otherwise).
  otherAudience,
];

export type { Probe, ProbeEnv } from './types.js';
