/**
 * Loopback hosts: where plain http is tolerated (RFC 8252 §8.3 for redirects; development IdPs).
 * Kept apart from client.ts so the pure audits can use it without loading undici.
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host) || host.endsWith('.localhost');
}
