import { AUTHORIZATION_CHECKS } from './catalogue/authorization.js';
import { CACHE_CHECKS } from './catalogue/cache.js';
import { CLIENT_METADATA_CHECKS } from './catalogue/client-metadata.js';
import { DIAGNOSIS_CHECKS } from './catalogue/diagnosis.js';
import { DISCOVERY_CHECKS } from './catalogue/discovery.js';
import { DPOP_CHECKS } from './catalogue/dpop.js';
import { MTLS_CHECKS } from './catalogue/mtls.js';
import { JAR_CHECKS } from './catalogue/jar.js';
import { JARM_CHECKS } from './catalogue/jarm.js';
import { JWKS_CHECKS } from './catalogue/jwks.js';
import { LIFECYCLE_CHECKS } from './catalogue/lifecycle.js';
import { PAR_CHECKS } from './catalogue/par.js';
import { POLICY_CHECKS } from './catalogue/policies.js';
import { PROBES_CHECKS } from './catalogue/probes.js';
import { REGISTRATION_CHECKS } from './catalogue/registration.js';
import { RESOURCE_CHECKS } from './catalogue/resource.js';
import { TOKEN_RESPONSE_CHECKS } from './catalogue/token_response.js';
import { tokenChecks, type TokenCheckId, type TokenCheckIdOfSeverity } from './catalogue/tokens.js';
import { USERINFO_CHECKS } from './catalogue/userinfo.js';
import type { CheckDefinition, Severity } from './types.js';

/**
 * The one catalogue: every check id the tool can report, with title, spec section, severity and hint.
 * Find any id here; the judging code that emits it lives beside the protocol step it judges.
 */
export const CATALOGUE: readonly CheckDefinition[] = [
  ...tokenChecks('jwt'),
  ...DISCOVERY_CHECKS,
  ...JWKS_CHECKS,
  ...PAR_CHECKS,
  ...JAR_CHECKS,
  ...AUTHORIZATION_CHECKS,
  ...JARM_CHECKS,
  ...TOKEN_RESPONSE_CHECKS,
  ...DPOP_CHECKS,
  ...MTLS_CHECKS,
  ...tokenChecks('id_token'),
  ...tokenChecks('access_token'),
  ...USERINFO_CHECKS,
  ...LIFECYCLE_CHECKS,
  ...PROBES_CHECKS,
  ...RESOURCE_CHECKS,
  ...REGISTRATION_CHECKS,
  ...CLIENT_METADATA_CHECKS,
  ...CACHE_CHECKS,
  ...DIAGNOSIS_CHECKS,
  ...POLICY_CHECKS,
];

/** Every entry of the catalogue's groups but the token rules (instantiated per prefix by tokenChecks). */
type GroupEntry =
  | (typeof DISCOVERY_CHECKS)[number]
  | (typeof JWKS_CHECKS)[number]
  | (typeof PAR_CHECKS)[number]
  | (typeof JAR_CHECKS)[number]
  | (typeof JARM_CHECKS)[number]
  | (typeof AUTHORIZATION_CHECKS)[number]
  | (typeof TOKEN_RESPONSE_CHECKS)[number]
  | (typeof DPOP_CHECKS)[number]
  | (typeof MTLS_CHECKS)[number]
  | (typeof USERINFO_CHECKS)[number]
  | (typeof LIFECYCLE_CHECKS)[number]
  | (typeof PROBES_CHECKS)[number]
  | (typeof RESOURCE_CHECKS)[number]
  | (typeof REGISTRATION_CHECKS)[number]
  | (typeof CLIENT_METADATA_CHECKS)[number]
  | (typeof CACHE_CHECKS)[number]
  | (typeof DIAGNOSIS_CHECKS)[number]
  | (typeof POLICY_CHECKS)[number];

/**
 * The closed union of every check id, derived from the catalogue: the recorder takes only these, so a
 * typo or an id without a catalogue entry is a compile error, not a runtime one.
 */
export type CheckId = TokenCheckId | GroupEntry['id'];

/**
 * The ids whose catalogue severity is `S`: the recorder's `fail` takes only error ids and `warn` no info
 * ones, so a judge cannot report a check as worse than the catalogue says (it may report it as milder).
 */
export type CheckIdOfSeverity<S extends Severity> = TokenCheckIdOfSeverity<S> | Extract<GroupEntry, { severity: S }>['id'];

const BY_ID = new Map(CATALOGUE.map((definition) => [definition.id, definition]));
if (BY_ID.size !== CATALOGUE.length) throw new Error('check catalogue: duplicate id');

export function checkDefinition(id: CheckId): CheckDefinition {
  const definition = BY_ID.get(id);
  // A programming error, not a user error: caught by the catalogue test.
  if (!definition) throw new Error(`check catalogue: unknown check id "${id}"`);
  return definition;
}
