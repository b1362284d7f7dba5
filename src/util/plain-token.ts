/**
 * An error code or parameter name a server chose, kept for a report only when it is a short run of
 * printable ASCII with nothing markup could read (a value is never kept this way: only names and codes).
 */
export function plainToken(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\x21-\x7e]{1,64}$/.test(value) && !/[<>&"']/.test(value) ? value : undefined;
}

/** RFC 6749 Appendix A: access_token and refresh_token are 1*VSCHAR, VSCHAR = %x20-7E. */
export const isVsChar = (token: string) => /^[\x20-\x7e]+$/.test(token);
