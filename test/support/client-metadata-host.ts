/**
 * Where a client publishes its Client ID Metadata Documents: an https server on loopback with a test
 * certificate, whose CA the in-process oidc-provider (startIdp's clientIdMetadataDocuments option) and
 * oidc-cli (--ca-file) both trust. Each path serves what the test put there, so one host holds a sound
 * document and each faulty one.
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeCertificate, type TestCertificate } from './tls.js';

export interface HostedAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as it is. */
  body: unknown;
}

export interface DocumentHost {
  /** https://127.0.0.1:PORT */
  origin: string;
  url(path: string): string;
  /** Serve this at the path: a plain object is a 200 JSON document. */
  serve(path: string, answer: Record<string, unknown> | HostedAnswer): string;
  /** The certificate's PEM (the CA to trust) and a file holding it, for --ca-file. */
  ca: string;
  caFile: string;
  /** How many times each path was fetched. */
  fetches(path: string): number;
  close(): Promise<void>;
}

const isAnswer = (value: Record<string, unknown> | HostedAnswer): value is HostedAnswer => 'body' in value && Object.keys(value).every((key) => ['status', 'headers', 'body'].includes(key));

export async function startDocumentHost(certificate?: TestCertificate): Promise<DocumentHost> {
  const cert = certificate ?? (await makeCertificate());
  const answers = new Map<string, HostedAnswer>();
  const counts = new Map<string, number>();
  const server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const answer = answers.get(path);
    if (!answer) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const json = typeof answer.body !== 'string';
    res.writeHead(answer.status ?? 200, { 'content-type': json ? 'application/json' : 'text/plain', ...answer.headers });
    res.end(json ? JSON.stringify(answer.body) : answer.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    serve(path, answer) {
      answers.set(path, isAnswer(answer) ? answer : { body: answer });
      return `${origin}${path}`;
    },
    ca: cert.cert,
    caFile: cert.caFile,
    fetches: (path) => counts.get(path) ?? 0,
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        if (!certificate) cert.cleanup();
      });
    },
  };
}

/** The document of a native client signing in through a loopback listener on any port. */
export function nativeClientDocument(client_id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_id,
    client_name: 'oidc-cli test client',
    application_type: 'native',
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...extra,
  };
}
