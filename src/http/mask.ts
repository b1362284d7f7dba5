
/**
 * What a trace must never show (PRODUCT.md "Network"): credentials in headers, and the values of
 * protocol parameters that are secrets or tokens, wherever they travel — form bodies, query strings,
 * JSON bodies — plus any value registered with addSecret()/addToken() or request.secrets/tokens.
 */
export const SECRET_PARAMETERS = new Set([
  'client_secret',
  'code',
  'code_verifier',
  'refresh_token',
  'access_token',
  'id_token',
  'client_assertion',
  'token',
  'device_code',
  'password',
  'assertion',
  'subject_token',
  'actor_token',
  'logout_token',
]);

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'dpop']);

/**
 * Of those, the client's own credentials: shown without a single character, where a redacted token
 * keeps a short prefix (docs/security.md "No secret prefixes"). The rest (code, tokens) are tokens.
 */
export const CLIENT_CREDENTIALS = new Set(['client_secret', 'code_verifier', 'client_assertion', 'password', 'assertion']);

/**
 * How a protocol parameter's value is shown: a client credential shows no character, a token keeps a
 * short prefix, anything else is shown. The one answer for traces, reports and the token request.
 */
export function parameterKind(name: string): 'secret' | 'token' | undefined {
  return CLIENT_CREDENTIALS.has(name) ? 'secret' : SECRET_PARAMETERS.has(name) ? 'token' : undefined;
}

/** Where values masked by name go: a Set of them, or a collector that also wants the name. */
type Found = { add(value: string, name: string): unknown };

const MASK = '[redacted]';

/** Keeps the scheme of an Authorization header ("Basic [redacted]") so the trace still says what was sent. */
export function maskHeader(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name.toLowerCase())) return value;
  const scheme = /^(Basic|Bearer|DPoP|Digest|Negotiate)\s/i.exec(value)?.[1];
  return scheme ? `${scheme} ${MASK}` : MASK;
}

function maskParams(params: URLSearchParams, found: Found): string {
  const out = new URLSearchParams();
  for (const [name, value] of params) {
    if (SECRET_PARAMETERS.has(name) && value !== '') {
      found.add(value, name);
      out.append(name, MASK);
    } else out.append(name, value);
  }
  // URLSearchParams would encode the brackets of the mask; keep it readable.
  return out.toString().split(encodeURIComponent(MASK)).join(MASK);
}

/** Masks secret query parameters of a URL. */
export function maskUrl(raw: string, found: Found = new Set<string>()): string {
  // Credentials in the authority (https://user:pass@host) are as secret as a header.
  const url = raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1[redacted]@');
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  return `${url.slice(0, q + 1)}${maskParams(new URLSearchParams(query), found)}${hash < 0 ? '' : url.slice(hash)}`;
}

function maskJsonValue(value: unknown, found: Found): unknown {
  if (Array.isArray(value)) return value.map((item) => maskJsonValue(item, found));
  if (value === null || typeof value !== 'object') return value;
  // fromEntries defines own members: `out[name] = …` with a member named "__proto__" (JSON.parse makes
  // it an own one) would set out's prototype instead, and the member would vanish from the trace.
  return Object.fromEntries(
    Object.entries(value).map(([name, member]) => {
      if (!SECRET_PARAMETERS.has(name) || typeof member !== 'string' || member === '') return [name, maskJsonValue(member, found)];
      found.add(member, name);
      return [name, MASK];
    }),
  );
}

/**
 * Masks a body for the trace: JSON members and form parameters by name, whatever the content type
 * claims (a server may label JSON as text/plain). Values masked by name are added to `found`, so the
 * caller can mask them everywhere else too (a token returned here and sent later in a header).
 */
export function maskBody(text: string, found: Found = new Set<string>()): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(maskJsonValue(JSON.parse(trimmed), found), null, 2);
    } catch {
      // not JSON after all: fall through to the secret-value pass
    }
  } else if (/^[\w.~%+-]+=[^\s]*(&[\w.~%+-]+=[^\s]*)*$/.test(trimmed)) {
    return maskParams(new URLSearchParams(trimmed), found);
  }
  return text;
}

/**
 * Members of a response whose values are credentials issued to this client (RFC 6749 §5.1, RFC 8628
 * §3.2, RFC 7591 §3.2.1). Other members masked by name in a trace (an error body's "code") are not.
 */
const ISSUED_SECRETS = new Set(['access_token', 'refresh_token', 'id_token', 'device_code', 'client_secret', 'registration_access_token']);

/** Secret values sorted by what they are: the client's credentials, and tokens. */
export interface Credentials {
  secrets: string[];
  tokens: string[];
}

function sorter(): { found: Found; credentials: Credentials } {
  const credentials: Credentials = { secrets: [], tokens: [] };
  return { credentials, found: { add: (value, name) => (CLIENT_CREDENTIALS.has(name) ? credentials.secrets : credentials.tokens).push(value) } };
}

/**
 * The secret values a request carries: parameters by name in its URL and body, credentials in its headers
 * (a Bearer or DPoP token, a cookie and a DPoP proof are tokens; Basic and the rest are the client's secrets).
 */
export function secretsSent(url: string, headers: Record<string, string>, body: string | undefined): Credentials {
  const { found, credentials } = sorter();
  maskUrl(url, found);
  if (body !== undefined) maskBody(body, found);
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADERS.has(name.toLowerCase())) continue;
    const scheme = /^(Basic|Bearer|DPoP|Digest|Negotiate)\s+/i.exec(value)?.[0];
    const token = /^(Bearer|DPoP)\s/i.test(value) || /^(cookie|set-cookie|dpop)$/i.test(name);
    (token ? credentials.tokens : credentials.secrets).push(scheme ? value.slice(scheme.length) : value);
  }
  return credentials;
}

/** The credentials a response hands out (tokens, device_code, a registered client_secret), by member name. */
export function secretsIssued(body: string): Credentials {
  const { found, credentials } = sorter();
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return credentials;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return credentials;
  for (const [name, member] of Object.entries(value)) if (ISSUED_SECRETS.has(name) && typeof member === 'string') found.add(member, name);
  return credentials;
}

/** Masks secret query parameters of every URL inside a free text (error messages). */
export function maskUrlsIn(text: string, found: Found = new Set<string>()): string {
  return text.replace(/https?:\/\/[^\s"'()<>]+/g, (url) => maskUrl(url, found));
}
