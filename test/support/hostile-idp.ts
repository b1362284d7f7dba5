import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { brotliCompressSync, constants as zlib, deflateSync, gzipSync } from 'node:zlib';
import { soundJwks, soundMetadata } from './bad-idp.js';

/**
 * An IdP on loopback that attacks the client instead of misconfiguring itself: every case below is a
 * way a hostile or broken server can try to exhaust memory, hang the CLI, or crash its parsers.
 *
 *   const idp = await startHostileIdp();
 *   oidc-cli discover --issuer idp.issuer('gzip_bomb')       // the metadata document is hostile
 *   oidc-cli discover --issuer idp.issuer('many_keys')       // metadata sound, the JWKS is hostile
 *   oidc-cli discover --issuer idp.silentIssuer               // TCP accepted, never a byte back
 *
 * Each case lives under its own issuer path, so one server serves them all in parallel tests.
 */
export const HOSTILE_CASES = {
  // where: which document is hostile; the other one is sound.
  body_over_cap: { where: 'metadata', what: 'a JSON body streamed without Content-Length until the client hangs up' },
  declared_over_cap: { where: 'jwks', what: 'Content-Length of 64 MiB, then a trickle' },
  endless_body: { where: 'metadata', what: 'headers, then one byte every 200 ms, forever' },
  never_answers: { where: 'metadata', what: 'reads the request, never sends a status line' },
  jwks_never_answers: { where: 'jwks', what: 'reads the request for the key set, never sends a status line' },
  deep_json: { where: 'metadata', what: 'a sound document with one member nested 100 000 arrays deep' },
  deep_jwks: { where: 'jwks', what: 'a key whose x5c is nested 100 000 arrays deep' },
  html_as_json: { where: 'metadata', what: 'an HTML login page labelled application/json' },
  xml_document: { where: 'jwks', what: 'an XML key set labelled application/xml' },
  invalid_utf8: { where: 'metadata', what: 'a JSON document with bytes that are not UTF-8 inside the issuer' },
  redirect_loop: { where: 'metadata', what: '302 to itself' },
  jwks_redirect_loop: { where: 'jwks', what: '307 to itself' },
  many_keys: { where: 'jwks', what: '3000 distinct, well-formed EC P-256 signing keys (a valid, absurd set)' },
  shared_kid: { where: 'jwks', what: '38 000 tiny keys under one kid, half identical, half each of its own kty, just under 1 MiB (a quadratic audit takes minutes)' },
  gzip_bomb: { where: 'metadata', what: 'Content-Encoding: gzip inflating to 64 MiB (never asked for)' },
  deflate_bomb: { where: 'jwks', what: 'Content-Encoding: deflate inflating to 64 MiB' },
  br_bomb: { where: 'metadata', what: 'Content-Encoding: br inflating to 64 MiB' },
  terminal_escapes: { where: 'metadata', what: 'terminal control sequences (OSC title, clear screen, \\r, cursor up) in members and in the JWKS' },
} as const;

/** What terminal_escapes injects: any of these reaching a terminal raw could forge or hide output. */
export const TERMINAL_ESCAPES = ['\u001b]0;pwned\u0007', '\u001b[2J', '\r✔ pass', '\u001b[1A', '\u009b31m', '\u0008\u0008'];

export type HostileCase = keyof typeof HOSTILE_CASES;

export interface HostileIdp {
  origin: string;
  /** The issuer whose metadata or JWKS plays `name`. */
  issuer(name: HostileCase): string;
  /** A TCP server that accepts connections and never writes a byte. */
  silentIssuer: string;
  /** Bytes written per case (to show the client stopped reading, not the server stopping early). */
  sent: Map<string, number>;
  close(): Promise<void>;
}

const BOMB_BYTES = 64 * 1024 * 1024;
const DEPTH = 100_000;

let bombs: { gzip: Buffer; deflate: Buffer; br: Buffer } | undefined;
function compressedBombs() {
  if (!bombs) {
    // A JSON document that is valid once inflated: the client must neither inflate it nor accept it.
    const plain = Buffer.alloc(BOMB_BYTES, 0x20);
    plain.write('{"issuer":"', 0);
    plain.write('"}', BOMB_BYTES - 2);
    bombs = {
      gzip: gzipSync(plain, { level: 9 }),
      deflate: deflateSync(plain, { level: 9 }),
      br: brotliCompressSync(plain, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } }),
    };
  }
  return bombs;
}

let manyKeys: Record<string, unknown>[] | undefined;
function thousandsOfKeys(): Record<string, unknown>[] {
  manyKeys ??= Array.from({ length: 3000 }, (_, i) => ({
    ...(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as Record<string, unknown>),
    kid: `k${i}`,
    use: 'sig',
    alg: 'ES256',
  }));
  return manyKeys;
}

export const SHARED_KID_KEYS = 38_000;
let sharedKid: Buffer | undefined;
function keysUnderOneKid(): Buffer {
  // Identical keys make every pair ambiguous; distinct kty values defeat any early exit on the first pair.
  sharedKid ??= Buffer.from(JSON.stringify({ keys: Array.from({ length: SHARED_KID_KEYS }, (_, i) => (i % 2 ? { kid: 'k', kty: 'EC' } : { kid: 'k', kty: i.toString(36) })) }));
  return sharedKid;
}

const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

export async function startHostileIdp(): Promise<HostileIdp> {
  const sockets = new Set<Socket>();
  const sent = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  compressedBombs();
  thousandsOfKeys();

  const count = (name: string, bytes: number) => sent.set(name, (sent.get(name) ?? 0) + bytes);

  function hostile(name: HostileCase, req: IncomingMessage, res: ServerResponse, sound: () => unknown): void {
    const self = `${origin}${req.url ?? '/'}`;
    switch (name) {
      case 'body_over_cap': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"padding":"');
        const chunk = 'x'.repeat(64 * 1024);
        const pump = () => {
          // Bounded so a client that never hangs up cannot make the fixture run forever.
          while (!res.destroyed && (sent.get(name) ?? 0) < 256 * 1024 * 1024) {
            count(name, chunk.length);
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end('"}');
        };
        return pump();
      }
      case 'declared_over_cap':
      case 'endless_body': {
        res.writeHead(200, { 'content-type': 'application/json', ...(name === 'declared_over_cap' ? { 'content-length': String(64 * 1024 * 1024) } : {}) });
        res.write('{"keys":[');
        const timer = setInterval(() => {
          if (res.destroyed) return void clearInterval(timer);
          count(name, 1);
          res.write(' ');
        }, 200);
        timers.add(timer);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case 'never_answers':
      case 'jwks_never_answers':
        return; // the socket stays open until close()
      case 'deep_json':
        return sendRaw(res, 'application/json', Buffer.from(JSON.stringify(sound()).replace(/}$/, `,"x_nested":${deep(DEPTH)}}`)));
      case 'deep_jwks': {
        const jwks = sound() as { keys: Record<string, unknown>[] };
        const text = JSON.stringify(jwks).replace(/"kid":"rsa-1"/, `"kid":"rsa-1","x5c":${deep(DEPTH)}`);
        return sendRaw(res, 'application/json', Buffer.from(text));
      }
      case 'html_as_json':
        return sendRaw(res, 'application/json', Buffer.from('<!doctype html><html><head><title>Sign in</title></head><body><form>…</form></body></html>'));
      case 'xml_document':
        return sendRaw(res, 'application/xml', Buffer.from('<?xml version="1.0"?><keys><key kid="a"/></keys>'));
      case 'invalid_utf8': {
        const text = JSON.stringify(sound());
        const at = text.indexOf('"issuer":"') + '"issuer":"'.length;
        return sendRaw(res, 'application/json', Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(text.slice(at))]));
      }
      case 'redirect_loop':
      case 'jwks_redirect_loop':
        res.writeHead(name === 'redirect_loop' ? 302 : 307, { location: self });
        return void res.end();
      case 'terminal_escapes': {
        const metadata = sound() as Record<string, unknown>;
        const evil = TERMINAL_ESCAPES.join('');
        metadata.issuer = `${String(metadata.issuer)}${evil}`;
        metadata.service_documentation = evil;
        metadata.response_types_supported = ['code', evil];
        metadata.jwks_uri = `${String(metadata.jwks_uri)}-evil`;
        return sendRaw(res, 'application/json', Buffer.from(JSON.stringify(metadata)));
      }
      case 'shared_kid':
        return sendRaw(res, 'application/jwk-set+json', keysUnderOneKid());
      case 'many_keys':
        return sendRaw(res, 'application/jwk-set+json', Buffer.from(JSON.stringify({ keys: thousandsOfKeys() })));
      case 'gzip_bomb':
      case 'deflate_bomb':
      case 'br_bomb': {
        const encoding = name === 'gzip_bomb' ? 'gzip' : name === 'deflate_bomb' ? 'deflate' : 'br';
        const body = compressedBombs()[encoding === 'gzip' ? 'gzip' : encoding === 'deflate' ? 'deflate' : 'br'];
        count(name, body.length);
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding, 'content-length': String(body.length) });
        return void res.end(body);
      }
    }
  }

  function sendRaw(res: ServerResponse, type: string, body: Buffer): void {
    res.writeHead(200, { 'content-type': type, 'content-length': String(body.length), 'cache-control': 'no-store' });
    res.end(body);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, name, ...rest] = url.pathname.split('/');
    if (!name || !(name in HOSTILE_CASES)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return void res.end('{"error":"not_found"}');
    }
    const hostileCase = name as HostileCase;
    const where = HOSTILE_CASES[hostileCase].where;
    const path = `/${name}`;
    const tail = `/${rest.join('/')}`;
    const metadata = () => soundMetadata(`${origin}${path}`, origin, path);
    if (tail === '/.well-known/openid-configuration') {
      if (where === 'metadata') return hostile(hostileCase, req, res, metadata);
      return sendRaw(res, 'application/json', Buffer.from(JSON.stringify(metadata())));
    }
    if (tail === '/jwks-evil') {
      const jwks = soundJwks();
      jwks.keys[0] = { ...jwks.keys[0], kid: TERMINAL_ESCAPES.join(''), kty: `RSA${TERMINAL_ESCAPES[1]}` };
      return sendRaw(res, 'application/json', Buffer.from(JSON.stringify(jwks)));
    }
    if (tail === '/jwks') {
      if (where === 'jwks') return hostile(hostileCase, req, res, soundJwks);
      return sendRaw(res, 'application/json', Buffer.from(JSON.stringify(soundJwks())));
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not_found"}');
  });
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  server.on('connection', track);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Accepts, reads and discards, answers nothing: not even a TLS or HTTP error.
  const silent = createNetServer((socket) => {
    track(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentIssuer = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;

  return {
    origin,
    issuer: (name) => `${origin}/${name}`,
    silentIssuer,
    sent,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), new Promise<void>((resolve) => silent.close(() => resolve()))]);
    },
  };
}
