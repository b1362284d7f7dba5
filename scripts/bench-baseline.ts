/**
 * The yardstick for batch verification: a plain Node script that reads the same token file and calls
 * jose's compactVerify in a loop with keys imported once. Prints how many tokens verified.
 * Usage: node dist/scripts/bench-baseline.js keys.json tokens.txt
 */
import { readFile } from 'node:fs/promises';
import { compactVerify, importJWK, type JWK } from 'jose';

const [jwksFile, tokenFile] = process.argv.slice(2);
const jwks = JSON.parse(await readFile(jwksFile!, 'utf8')) as { keys: Array<JWK & { kid: string; alg: string }> };
const keys = new Map(await Promise.all(jwks.keys.map(async (jwk) => [jwk.kid, await importJWK(jwk, jwk.alg)] as const)));
const lines = (await readFile(tokenFile!, 'utf8')).split('\n');
let verified = 0;
for (const token of lines) {
  if (token === '') continue;
  await compactVerify(token, (header) => keys.get(header.kid!)!);
  verified += 1;
}
process.stdout.write(`${verified}\n`);
