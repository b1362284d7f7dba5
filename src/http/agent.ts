import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { inputError } from '../errors.js';

export interface AgentSettings {
  connectTimeoutMs: number;
  caFile: string | undefined;
  insecure: boolean;
  env: NodeJS.ProcessEnv;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readPemCertificates(file: string, source: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw inputError(`${source}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const certificates = text.match(PEM_CERT) ?? [];
  if (certificates.length === 0) throw inputError(`${source}: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return certificates;
}

/**
 * The CA list for TLS, or undefined to keep Node's defaults. Passing `ca` replaces Node's roots,
 * including what NODE_EXTRA_CA_CERTS added at startup, so with --ca-file we rebuild the whole list:
 * the bundled roots, NODE_EXTRA_CA_CERTS, then the file.
 */
export function caBundle(caFile: string | undefined, env: NodeJS.ProcessEnv): string[] | undefined {
  if (!caFile) return undefined;
  const extra = env.NODE_EXTRA_CA_CERTS ? safeExtra(env.NODE_EXTRA_CA_CERTS) : [];
  return [...rootCertificates, ...extra, ...readPemCertificates(caFile, '--ca-file')];
}

/** Node only warns about an unreadable NODE_EXTRA_CA_CERTS; so do we (by skipping it). */
function safeExtra(file: string): string[] {
  try {
    return readPemCertificates(file, 'NODE_EXTRA_CA_CERTS');
  } catch {
    return [];
  }
}

/**
 * Loopback never goes through a proxy (as in Go's net/http): a proxy cannot reach this machine's
 * 127.0.0.1, and a local test IdP must keep working on a machine with HTTPS_PROXY set.
 */
export function withLoopback(noProxy: string): string {
  if (noProxy.trim() === '*') return noProxy;
  return [noProxy, 'localhost', '127.0.0.1', '[::1]'].filter(Boolean).join(',');
}

/**
 * One keep-alive dispatcher for the run. EnvHttpProxyAgent honours HTTPS_PROXY/HTTP_PROXY/NO_PROXY
 * (lower case wins, as in curl); its direct agent takes `connect`, its proxy agents `requestTls` for
 * the TLS session to the IdP through the tunnel, so the CA settings go to both.
 */
export function createDispatcher(settings: AgentSettings): Dispatcher {
  const ca = caBundle(settings.caFile, settings.env);
  const tls = {
    ...(ca ? { ca } : {}),
    ...(settings.insecure ? { rejectUnauthorized: false } : {}),
    timeout: settings.connectTimeoutMs,
  };
  const { env } = settings;
  return new EnvHttpProxyAgent({
    httpProxy: env.http_proxy ?? env.HTTP_PROXY ?? '',
    httpsProxy: env.https_proxy ?? env.HTTPS_PROXY ?? '',
    noProxy: withLoopback(env.no_proxy ?? env.NO_PROXY ?? ''),
    connect: tls,
    requestTls: tls,
    keepAliveTimeout: 4_000,
  } as ConstructorParameters<typeof EnvHttpProxyAgent>[0]);
}
