import { cleanTokenInput, MAX_TOKEN_BYTES } from '../core/jwt/parse.js';
import { inputError } from '../errors.js';

export type TokenSource = 'argument' | 'stdin' | 'cache';

/**
 * The token a lifecycle command acts on: the argument, stdin for "-" (capped like decode's, a "Bearer "
 * prefix and whitespace dropped), or the cached one. `hint` says how to get one when there is none.
 */
export async function tokenArgument(value: string | undefined, stdin: AsyncIterable<unknown>, fromCache: () => string | undefined, what: string, hint: string): Promise<{ token: string; source: TokenSource }> {
  if (value === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stdin) {
      size += (chunk as Buffer).length;
      // Refuse at the cap instead of buffering whatever is piped in (same limit as decode).
      if (size > MAX_TOKEN_BYTES) throw inputError(`the ${what} on stdin is over ${MAX_TOKEN_BYTES} bytes`);
      chunks.push(Buffer.from(chunk as Buffer));
    }
    const token = cleanTokenInput(Buffer.concat(chunks).toString('utf8'));
    if (!token) throw inputError(`no ${what} on stdin`);
    return { token, source: 'stdin' };
  }
  if (value !== undefined) {
    if (!value.trim()) throw inputError(`the ${what} argument is empty`);
    return { token: value.trim(), source: 'argument' };
  }
  const cached = fromCache();
  if (!cached) throw inputError(`no ${what} given and none cached`, `pass it as an argument (or - for stdin), or ${hint}`);
  return { token: cached, source: 'cache' };
}
