import { CATALOGUE } from '../../checks/catalogue.js';
import { usageError } from '../../errors.js';

/**
 * --only / --skip: each pattern is a check id (`probe.code_reuse`), a group or id prefix ending at a dot
 * boundary (`probe`, `id_token`, `refresh.id_token`), or a prefix with a trailing `*` (`probe.pkce_*`).
 * A pattern that names no check in the catalogue is a usage error, so a typo cannot silently select nothing.
 */
export type Selection = (id: string) => boolean;

export function matches(pattern: string, id: string): boolean {
  if (pattern.endsWith('*')) return id.startsWith(pattern.slice(0, -1));
  const base = pattern.replace(/\.$/, '');
  return id === base || id.startsWith(`${base}.`);
}

function patterns(values: string[] | undefined, flag: string): string[] {
  const list = (values ?? []).flatMap((value) => value.split(',')).map((p) => p.trim()).filter(Boolean);
  for (const pattern of list) {
    if (!CATALOGUE.some((definition) => matches(pattern, definition.id))) {
      throw usageError(`${flag} ${pattern}: no check id or group matches`, 'list the ids with: oidc-cli checks (e.g. probe, probe.code_reuse, id_token, probe.pkce_*)');
    }
  }
  return list;
}

export function selection(only: string[] | undefined, skip: string[] | undefined): Selection {
  const include = patterns(only, '--only');
  const exclude = patterns(skip, '--skip');
  return (id) => (include.length === 0 || include.some((p) => matches(p, id))) && !exclude.some((p) => matches(p, id));
}
