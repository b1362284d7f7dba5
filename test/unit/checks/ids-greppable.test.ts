import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../src/checks/catalogue.js';

const SRC = join(import.meta.dirname, '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Code without its comments: an id named in a doc comment (`id_token.aud` in types.ts) is not judged there. */
function withoutComments(source: string): string {
  // A line comment starts the line or follows a space, so "https://" inside a string is kept.
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

// The catalogue declares ids (and builds the token ones from a prefix): a literal there says nothing
// about where the id is judged, so only the code outside it counts.
const judgingCode = sourceFiles(SRC)
  .filter((path) => !relative(SRC, path).startsWith(join('checks', 'catalogue')))
  .map((path) => withoutComments(readFileSync(path, 'utf8')))
  .join('\n');

/** The whole id as one quoted literal: 'id', "id" or `id` (a template with no substitution). */
function appearsAsLiteral(id: string): boolean {
  const escaped = id.replaceAll('.', '\\.');
  return new RegExp(`(['"\`])${escaped}\\1`).test(judgingCode);
}

describe('every check id is greppable where it is judged (issue 11)', () => {
  it('finds each catalogue id as a quoted literal in src/ outside the catalogue', () => {
    const missing = CATALOGUE.map((d) => d.id).filter((id) => !appearsAsLiteral(id));
    expect(missing).toEqual([]);
  });
});
