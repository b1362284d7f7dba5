/**
 * The machine's limit for batch verification: what node:crypto (OpenSSL) verifies per second on every
 * core for the same tokens, with nothing else to do. One worker thread per core runs a tight loop over
 * the token file's signatures, keys imported and inputs decoded before the clock starts; the rates add up.
 * Prints verifications per second. Usage: node dist/scripts/bench-limit.js keys.json tokens.txt [ms]
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

interface Job {
  jwksFile: string;
  tokenFile: string;
  ms: number;
}

/** Distinct tokens are enough: the file repeats them, and a repeated one costs what a new one does. */
const DISTINCT = 2000;

function loop({ jwksFile, tokenFile, ms }: Job): { verified: number; seconds: number } {
  const jwks = JSON.parse(readFileSync(jwksFile, 'utf8')) as { keys: Array<{ kid: string }> };
  const keys = new Map<string, KeyObject>(jwks.keys.map((jwk) => [jwk.kid, createPublicKey({ key: jwk, format: 'jwk' })]));
  const inputs = readFileSync(tokenFile, 'utf8')
    .split('\n', DISTINCT)
    .filter((line) => line !== '')
    .map((token) => {
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const { alg, kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg: string; kid: string };
      const key = keys.get(kid)!;
      return { data: Buffer.from(`${header}.${payload}`), signature: Buffer.from(signature, 'base64url'), key: alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' as const } : key };
    });
  let verified = 0;
  const start = performance.now();
  const end = start + ms;
  while (performance.now() < end) {
    for (const input of inputs) {
      if (!verify('sha256', input.data, input.key, input.signature)) throw new Error('a bench token did not verify');
    }
    verified += inputs.length;
  }
  return { verified, seconds: (performance.now() - start) / 1000 };
}

if (isMainThread) {
  const [jwksFile, tokenFile, ms] = process.argv.slice(2);
  const job: Job = { jwksFile: jwksFile!, tokenFile: tokenFile!, ms: Number(ms ?? 3000) };
  const threads = Array.from({ length: availableParallelism() }, () => new Worker(new URL(import.meta.url), { workerData: job }));
  const results = await Promise.all(threads.map((worker) => new Promise<{ verified: number; seconds: number }>((resolve, reject) => worker.once('message', resolve).once('error', reject))));
  const rate = results.reduce((sum, { verified, seconds }) => sum + verified / seconds, 0);
  process.stdout.write(`${Math.round(rate)}\n`);
} else {
  parentPort!.postMessage(loop(workerData as Job));
}
