/**
 * The output gate's cost (src/report/secrets.ts): masking a large output must stay linear in the text,
 * whatever the number of secrets registered (a pass per secret and spelling would multiply them). Both
 * registries mask the same 1 MiB of trace-like text, full of escapes; rounds alternate, medians compare.
 */
import { randomBytes } from 'node:crypto';
import { SecretRegistry } from '../src/report/secrets.js';
import { median } from './bench-measure.js';

export interface MaskCost {
  few: number;
  many: number;
  fewSecrets: number;
  manySecrets: number;
}

function registry(count: number): SecretRegistry {
  const secrets = new SecretRegistry();
  for (let i = 0; i < count; i += 1) secrets.add(randomBytes(24).toString('base64'), i % 2 === 0 ? 'secret' : 'token');
  secrets.mask('built once, before timing');
  return secrets;
}

export function measureMasking(rounds: number, fewSecrets = 2, manySecrets = 200): MaskCost {
  const line = (i: number) => `< {"error":"invalid_client","error_description":"client_secret=${randomBytes(18).toString('base64')}&x=%2F%3d &amp;#x2B; \\u002b \\"q\\" line ${i}"}\n`;
  let text = '';
  for (let i = 0; text.length < 1024 * 1024; i += 1) text += line(i);
  const few = registry(fewSecrets);
  const many = registry(manySecrets);
  const times: [number[], number[]] = [[], []];
  for (let round = 0; round < rounds; round += 1) {
    for (const [i, secrets] of [few, many].entries()) {
      const started = performance.now();
      if (secrets.mask(text) !== text) throw new Error('the bench text holds no secret, yet masking changed it');
      times[i]!.push(performance.now() - started);
    }
  }
  return { few: median(times[0]), many: median(times[1]), fewSecrets, manySecrets };
}
