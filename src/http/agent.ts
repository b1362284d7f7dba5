import { rootCertificates } from 'node:tls';
import { lookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { Dispatcher } from 'undici';
import { Agent, Dispatcher as DispatcherBase, EnvHttpProxyAgent } from './undici.js';
import { inputError } from '../errors.js';
import { readLocalFile } from '../util/local-file.js';
import { isLocalhostName, isLoopback } from './loopback.js';

export interface AgentSettings {
  connectTimeoutMs: number;
  caFile: string | undefined;
  insecure: boolean;
  env: NodeJS.ProcessEnv;
  /** RFC 8705: the client certificate and key this dispatcher presents to the servers it connects to. */
  clientCertificate?: { cert: string; key: string } | undefined;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Through the one bounded reader (util/local-file.ts): a FIFO, a device or a huge file is refused at once. */
async function readPemCertificates(file: string, label: string): Promise<string[]> {
  const text = await readLocalFile(file, label);
  const certificates = text.match(PEM_CERT) ?? [];
  if (certificates.length === 0) throw inputError(`${label} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return certificates;
}

/**
 * The CA list for TLS, or undefined to keep Node's defaults. Passing `ca` replaces Node's roots,
 * including what NODE_EXTRA_CA_CERTS added at startup, so with --ca-file we rebuild the whole list:
 * the bundled roots, NODE_EXTRA_CA_CERTS, then the file.
 */
export async function caBundle(caFile: string | undefined, env: NodeJS.ProcessEnv): Promise<string[] | undefined> {
  if (!caFile) return undefined;
  // Node only warns about an unreadable NODE_EXTRA_CA_CERTS (at start-up); so do we, by skipping it.
  const extra = env.NODE_EXTRA_CA_CERTS ? await readPemCertificates(env.NODE_EXTRA_CA_CERTS, `NODE_EXTRA_CA_CERTS ${env.NODE_EXTRA_CA_CERTS}`).catch(() => []) : [];
  return [...rootCertificates, ...extra, ...(await readPemCertificates(caFile, `--ca-file ${caFile}`))];
}

/**
 * RFC 6761 §6.3: localhost names resolve to loopback without asking DNS (a resolver may not know
 * foo.localhost, or may answer with anything). Everything else goes to the system resolver.
 */
export const localhostLookup: LookupFunction = (hostname, options, callback) => {
  if (!isLocalhostName(hostname)) return lookup(hostname, options, callback as never);
  const addresses: LookupAddress[] = options.family === 6 ? [{ address: '::1', family: 6 }] : options.family === 4 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }];
  if (options.all) (callback as unknown as (error: null, all: LookupAddress[]) => void)(null, addresses);
  else callback(null, addresses[0]!.address, addresses[0]!.family);
};

/**
 * Loopback never goes through a proxy (as in Go's net/http): a proxy cannot reach this machine's
 * 127.0.0.1, and a local test IdP must keep working on a machine with HTTPS_PROXY set. The choice is
 * made per request with isLoopback (loopback.ts), the same rule that allows plain http, so the two
 * cannot disagree the way a NO_PROXY list of a few spellings did.
 */
class LoopbackDirect extends DispatcherBase {
  constructor(
    private readonly direct: Dispatcher,
    private readonly proxied: Dispatcher,
  ) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = typeof options.origin === 'string' ? new URL(options.origin) : options.origin;
    return (origin && isLoopback(origin.hostname) ? this.direct : this.proxied).dispatch(options, handler);
  }

  // Dispatcher's close/destroy are overloaded with optional callbacks; both forms are served.
  // biome-ignore lint/suspicious/noExplicitAny: undici's overloads return void or a Promise, one signature serves both
  override close(callback?: () => void): any {
    const done = Promise.all([this.direct.close(), this.proxied.close()]).then(() => undefined);
    return callback ? void done.then(callback, callback) : done;
  }

  // biome-ignore lint/suspicious/noExplicitAny: as close, above
  override destroy(first?: Error | null | (() => void), second?: () => void): any {
    const error = typeof first === 'function' ? null : (first ?? null);
    const callback = typeof first === 'function' ? first : second;
    const done = Promise.all([this.direct.destroy(error), this.proxied.destroy(error)]).then(() => undefined);
    return callback ? void done.then(callback, callback) : done;
  }
}

/**
 * One keep-alive dispatcher for the run. EnvHttpProxyAgent honours HTTPS_PROXY/HTTP_PROXY/NO_PROXY
 * (lower case wins, as in curl); its direct agent takes `connect`, its proxy agents `requestTls` for
 * the TLS session to the IdP through the tunnel, so the CA settings go to both. Loopback hosts take a
 * plain Agent of their own before the proxy logic is asked.
 */
export async function createDispatcher(settings: AgentSettings): Promise<Dispatcher> {
  const ca = await caBundle(settings.caFile, settings.env);
  const tls = {
    ...(ca ? { ca } : {}),
    ...(settings.insecure ? { rejectUnauthorized: false } : {}),
    // Only to the server itself: through a proxy, requestTls is the tunnelled session, proxyTls (unset) the proxy's.
    ...(settings.clientCertificate ? { cert: settings.clientCertificate.cert, key: settings.clientCertificate.key } : {}),
    timeout: settings.connectTimeoutMs,
  };
  const { env } = settings;
  const keepAliveTimeout = 4_000;
  const proxied = new EnvHttpProxyAgent({
    httpProxy: env.http_proxy ?? env.HTTP_PROXY ?? '',
    httpsProxy: env.https_proxy ?? env.HTTPS_PROXY ?? '',
    noProxy: env.no_proxy ?? env.NO_PROXY ?? '',
    connect: tls,
    requestTls: tls,
    keepAliveTimeout,
  } as ConstructorParameters<typeof EnvHttpProxyAgent>[0]);
  const direct = new Agent({ connect: { ...tls, lookup: localhostLookup }, keepAliveTimeout });
  return new LoopbackDirect(direct, proxied);
}
