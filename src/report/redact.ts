// The redaction helpers live in src/util/redact.ts (core and commands need them, not only renderers);
// this re-export keeps `report/redact.js` importable for commands not yet re-pointed.
export { formUrlEncode, redact, redactSecret } from '../util/redact.js';
