import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the bench verifies: one RS256 and one ES256 key, published as a JWK Set. */
export interface BenchKeys {
  jwksFile: string;
  /** Distinct signed tokens, half RS256 and half ES256; token files repeat them in turn. */
  tokens: string[];
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Signer {
  alg: 'RS256' | 'ES256';
  kid: string;
  privateKey: KeyObject;
}

function mint(signer: Signer, index: number, now: number): string {
  const header = b64url({ alg: signer.alg, kid: signer.kid, typ: 'JWT' });
  // The claims of a typical ID token; a day of validity outlives any bench run.
  const payload = b64url({
    iss: 'https://idp.bench.test',
    sub: `user-${index}`,
    aud: 'bench-client',
    iat: now,
    exp: now + 86400,
    nonce: `n-${index}`,
    email: `user-${index}@bench.test`,
  });
  const input = `${header}.${payload}`;
  const key = signer.alg === 'ES256' ? { key: signer.privateKey, dsaEncoding: 'ieee-p1363' as const } : signer.privateKey;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/**
 * Fresh keys and `distinct` tokens (RS256 and ES256 alternating). Signing RSA is slow, so a token file
 * cycles through these; verifying a repeated token costs the same as a new one (nothing is cached).
 */
export function makeKeys(dir: string, distinct: number): BenchKeys {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signers: Signer[] = [
    { alg: 'RS256', kid: 'bench-rs256', privateKey: rsa.privateKey },
    { alg: 'ES256', kid: 'bench-es256', privateKey: ec.privateKey },
  ];
  const jwks = {
    keys: [
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' },
      { ...ec.publicKey.export({ format: 'jwk' }), kid: 'bench-es256', alg: 'ES256', use: 'sig' },
    ],
  };
  const jwksFile = join(dir, 'keys.json');
  writeFileSync(jwksFile, JSON.stringify(jwks));
  const now = Math.floor(Date.now() / 1000);
  const tokens = Array.from({ length: distinct }, (_, i) => mint(signers[i % 2]!, i, now));
  return { jwksFile, tokens };
}

/** Writes `count` tokens, one a line, cycling through the distinct ones. */
export async function writeTokenFile(file: string, tokens: string[], count: number): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < count; i++) {
    if (!out.write(tokens[i % tokens.length]! + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
