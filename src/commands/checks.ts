import { CATALOGUE } from '../checks/catalogue.js';
import type { Report, Section } from '../report/model.js';
import type { Context } from './context.js';

export interface ChecksOptions {
  prefix?: string;
}

/**
 * Lists the catalogue: every id a report can carry, with severity, spec section and title; the hint
 * (what to change) with -v, or for a single id. A check's severity is what a violation costs: a note
 * (info) never warns; what is risky has its own id (discovery.endpoint_host, discovery.endpoint_host_vouched).
 */
export async function run(options: ChecksOptions, context: Context): Promise<Report> {
  const definitions = CATALOGUE.filter((definition) => !options.prefix || definition.id.startsWith(options.prefix));
  // An id that is also the prefix of others (discovery.endpoint_host, discovery.endpoint_host_vouched) names itself.
  const exact = definitions.find((definition) => definition.id === options.prefix) ?? (definitions.length === 1 ? definitions[0] : undefined);
  const withHints = context.globals.verbose > 0;
  const sections: Section[] = exact
    ? [{ title: exact.id, kind: 'fields', fields: [['title', exact.title], ['severity', exact.severity], ['spec', exact.spec], ['hint', exact.hint ?? '(none)']] }]
    : [
        {
          title: `Check catalogue (${definitions.length} checks)${withHints ? '' : '; -v adds each hint, or name one id'}`,
          kind: 'table',
          columns: withHints ? ['id', 'severity', 'spec', 'title', 'hint'] : ['id', 'severity', 'spec', 'title'],
          rows: definitions.map((d) => (withHints ? [d.id, d.severity, d.spec, d.title, d.hint ?? ''] : [d.id, d.severity, d.spec, d.title])),
        },
      ];
  return { command: 'checks', checks: [], data: { catalogue: definitions }, sections };
}
