/**
 * The spellings a debugging IdP (or the framework under it) quotes a value back in: an error page, an
 * error_description, a log line returned to the client. Written here independently of src/report, so a
 * test of the masking does not share the code it tests.
 */
const hex = (byte: number, upper: boolean) => (upper ? byte.toString(16).toUpperCase() : byte.toString(16)).padStart(2, '0');
const isAlnum = (ch: string) => /^[A-Za-z0-9]$/.test(ch);

/** Every byte outside RFC 3986's unreserved set as %XX (Python's quote(safe=''), .NET's lower-case WebUtility). */
function percent(value: string, upper: boolean, spaceAsPlus: boolean): string {
  let out = '';
  for (const ch of value) {
    if (/^[A-Za-z0-9\-._~]$/.test(ch)) out += ch;
    else if (ch === ' ' && spaceAsPlus) out += '+';
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${hex(byte, upper)}`;
  }
  return out;
}

/** Every character but letters and digits as an HTML character reference (OWASP's encodeForHTML style). */
function entities(value: string, spell: (codePoint: number) => string): string {
  let out = '';
  for (const ch of value) out += isAlnum(ch) ? ch : spell(ch.codePointAt(0)!);
  return out;
}

const NAMED: Record<string, string> = { '/': '&sol;', '+': '&plus;', '=': '&equals;', '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '-': '&#45;', _: '&lowbar;', '.': '&period;', '~': '&#126;', ':': '&colon;', '%': '&percnt;' };

/** As a JSON encoder that escapes "/" and every non-alphanumeric ASCII character (PHP json_encode, System.Text.Json's default). */
function jsonEscaped(value: string): string {
  let out = '';
  for (const ch of value) out += ch === '/' ? '\\/' : isAlnum(ch) ? ch : `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return out;
}

const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64');
const b64url = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64url');

/** A value in each spelling, labelled, for an echo and for the scan that must not find any of them. */
export function echoSpellings(value: string): Array<[string, string]> {
  const bytes = Buffer.from(value, 'utf8');
  // The value at byte offsets 1 and 2 of a longer blob: its base64 is not base64(value) at any offset.
  const inBlob = (before: number) => b64(Buffer.concat([Buffer.from('QRS'.slice(0, before)), bytes, Buffer.from('tu')]));
  return [
    ['percent-lower', percent(value, false, false)],
    ['percent-upper', percent(value, true, false)],
    ['form-lower', percent(value, false, true)],
    ['html-hex-upper', entities(value, (cp) => `&#x${cp.toString(16).toUpperCase()};`)],
    ['html-hex-lower-zero-padded', entities(value, (cp) => `&#x${cp.toString(16).padStart(4, '0')};`)],
    ['html-decimal', entities(value, (cp) => `&#${cp};`)],
    ['html-named', [...value].map((ch) => NAMED[ch] ?? ch).join('')],
    ['json-escaped', jsonEscaped(value)],
    // One character of each kind, as a chain of template engines leaves it.
    ['mixed', [...value].map((ch, i) => (isAlnum(ch) ? ch : [percent(ch, false, false), `&#x${ch.charCodeAt(0).toString(16)};`, jsonEscaped(ch)][i % 3])).join('')],
    ['base64', b64(bytes)],
    ['base64-unpadded', b64(bytes).replace(/=+$/, '')],
    ['base64url', b64url(bytes)],
    ['base64url-padded', b64(bytes).replace(/\+/g, '-').replace(/\//g, '_')],
    ['base64-offset-1', inBlob(1)],
    ['base64-offset-2', inBlob(2)],
  ];
}

/**
 * The Basic credential (RFC 6749 §2.3.1: base64 of form-urlencoded client_id ":" secret) as an IdP may quote
 * it: unpadded, in base64url, and rebuilt from the raw id and secret without the form-urlencoding.
 */
export function basicSpellings(client_id: string, client_secret: string, sent: string): Array<[string, string]> {
  const raw = Buffer.from(`${client_id}:${client_secret}`);
  return [
    ['basic-as-sent', sent],
    ['basic-unpadded', sent.replace(/=+$/, '')],
    ['basic-base64url', b64url(Buffer.from(sent, 'base64'))],
    ['basic-raw-id-secret', b64(raw)],
    ['basic-raw-id-secret-base64url', b64url(raw)],
  ];
}

/** The client secret a request carried: client_secret_post's, or Basic's, form-urldecoded (RFC 6749 §2.3.1). */
export function receivedSecret(form: URLSearchParams, authorization: string | undefined): string | undefined {
  const basic = /^Basic (.+)$/i.exec(authorization ?? '')?.[1];
  if (!basic) return form.get('client_secret') ?? undefined;
  const decoded = Buffer.from(basic, 'base64').toString();
  return decodeURIComponent(decoded.slice(decoded.indexOf(':') + 1).replace(/\+/g, ' '));
}

/** Every credential of a token request (secret, code, code_verifier, assertion, Basic) in every spelling above. */
export function requestInSpellings(form: URLSearchParams, authorization: string | undefined, client_id: string): Array<[string, string]> {
  const quoted: Array<[string, string]> = [];
  const secret = receivedSecret(form, authorization);
  if (secret !== undefined) quoted.push(...echoSpellings(secret).map(([label, value]): [string, string] => [`client_secret ${label}`, value]));
  for (const name of ['code', 'code_verifier', 'client_assertion']) {
    const value = form.get(name);
    if (value) quoted.push(...echoSpellings(value).map(([label, spelled]): [string, string] => [`${name} ${label}`, spelled]));
  }
  const basic = /^Basic (.+)$/i.exec(authorization ?? '')?.[1];
  if (basic !== undefined && secret !== undefined) quoted.push(...basicSpellings(client_id, secret, basic));
  return quoted;
}
