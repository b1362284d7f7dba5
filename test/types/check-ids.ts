// Compiled by `tsc` (npm run build): the check ids are a closed union, so each line marked with the
// expect-error directive below must stay an error; if one compiles, the union has opened up and the build fails.
import type { CheckId } from '../../src/checks/catalogue.js';

// @ts-expect-error an id without a catalogue entry
const unknown: CheckId = 'id_token.no_such_check';
// @ts-expect-error claims is an access token check only (RFC 9068), not an ID token one
const wrongPrefix: CheckId = 'id_token.claims';
const known: CheckId[] = ['id_token.at_hash', 'jwt.exp', 'discovery.registry_values', 'introspection.agree.sub', 'diagnosis.client_auth'];

export { known, unknown, wrongPrefix };
