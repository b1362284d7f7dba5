// Compiled by `tsc` (npm run build): a judge may report a check milder than the catalogue's severity, never
// worse. Each line marked with the expect-error directive must stay an error; if one compiles, the
// recorder lets a judge raise a severity again and the build fails.
import { CheckRecorder } from '../../src/checks/recorder.js';

const c = new CheckRecorder();
// @ts-expect-error jwt.iat is a warning: fail would raise it (a broken warning is c.violation)
c.fail('jwt.iat', 'issued in the future');
// @ts-expect-error resource.bearer_methods is a warning
c.fail('resource.bearer_methods', 'not an array');
// @ts-expect-error discovery.iss_parameter is info: warn would raise it
c.warn('discovery.iss_parameter', 'not advertised');
// An error id may fail, or be downgraded to a warning with the reason in the message.
c.fail('id_token.iat', 'issued in the future');
c.warn('jwks.duplicate_kid', 'kid repeated with a different kty/alg (RFC 7517 §4.5 allows it)');
c.warn('jwt.kid', 'a warning id warns');
