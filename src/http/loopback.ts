import { BlockList, isIP } from 'node:net';

/**
 * The one answer to "is this host loopback?", used wherever it matters: plain http is tolerated there
 * (RFC 8252 §8.3 redirects, development IdPs), the proxy is bypassed there (agent.ts), the login listener
 * binds there, and *.localhost is resolved there without DNS. Kept apart from client.ts so the pure audits
 * can use it without loading undici.
 */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
// An IPv4-mapped IPv6 address (::ffff:127.0.0.1) reaches 127.0.0.1 on a dual-stack socket.
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** Lower case, without IPv6 brackets or the trailing dot of a fully qualified name. */
export function normalHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/** RFC 6761 §6.3: "localhost" and every name under it are loopback, and never go to DNS. */
export function isLocalhostName(hostname: string): boolean {
  const host = normalHost(hostname);
  return host === 'localhost' || host.endsWith('.localhost');
}

/** All of 127.0.0.0/8, ::1 in any spelling (also IPv4-mapped), localhost and *.localhost; a URL's hostname or a bare one. */
export function isLoopback(hostname: string): boolean {
  const host = normalHost(hostname);
  const family = isIP(host);
  if (family === 4) return LOOPBACK.check(host, 'ipv4');
  if (family === 6) return LOOPBACK.check(host, 'ipv6');
  return isLocalhostName(host);
}

/** A loopback IP literal (not a name that merely resolves to one): RFC 8252 §7.3 prefers these in redirect URIs. */
export function isLoopbackLiteral(hostname: string): boolean {
  return isIP(normalHost(hostname)) !== 0 && isLoopback(hostname);
}
