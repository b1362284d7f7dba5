/**
 * A link for the first spec a check cites ("RFC 9700 §2.1.1, RFC 8414 §2" → RFC 9700 section 2.1.1),
 * for reports read in a browser or a code-scanning UI. Only documents with stable public URLs.
 */
const DOCUMENTS: Array<[RegExp, string]> = [
  [/^OIDC Core/, 'https://openid.net/specs/openid-connect-core-1_0.html'],
  [/^OIDC Discovery/, 'https://openid.net/specs/openid-connect-discovery-1_0.html'],
  [/^OAuth 2\.0 Multiple Response Types/, 'https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html'],
  [/^OAuth JARM/, 'https://openid.net/specs/oauth-v2-jarm.html'],
  [/^FAPI 2\.0/, 'https://openid.net/specs/fapi-security-profile-2_0.html'],
  // An Internet-Draft: the datatracker page always leads to its latest revision.
  [/^OAuth Client ID Metadata Document/, 'https://datatracker.ietf.org/doc/draft-ietf-oauth-client-id-metadata-document/'],
];

export function specLink(spec: string): string | undefined {
  const first = spec.split(/[,;]/)[0]!.trim();
  const rfc = /^RFC (\d{4})(?: §(\d+(?:\.\d+)*))?/.exec(first);
  if (rfc) return `https://www.rfc-editor.org/rfc/rfc${rfc[1]}${rfc[2] ? `#section-${rfc[2]}` : ''}`;
  // The MCP specification is published per revision date.
  const mcp = /^MCP authorization \((\d{4}-\d{2}-\d{2})\)/.exec(first);
  if (mcp) return `https://modelcontextprotocol.io/specification/${mcp[1]}/basic/authorization`;
  return DOCUMENTS.find(([pattern]) => pattern.test(first))?.[1];
}
