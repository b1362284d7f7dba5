import { CATALOGUE } from '../checks/catalogue.js';
import type { Report } from '../report/model.js';
import type { Context } from './context.js';

export interface ChecksOptions {
  prefix?: string;
}

/** Lists the catalogue: every id a report can carry, with severity, spec section and hint. */
export async function run(options: ChecksOptions, _context: Context): Promise<Report> {
  const definitions = CATALOGUE.filter((definition) => !options.prefix || definition.id.startsWith(options.prefix));
  return {
    command: 'checks',
    checks: [],
    data: { catalogue: definitions },
    sections: [
      {
        title: `Check catalogue (${definitions.length} checks)`,
        kind: 'table',
        columns: ['id', 'severity', 'spec', 'title'],
        rows: definitions.map((d) => [d.id, d.severity, d.spec, d.title]),
      },
    ],
  };
}
