import { ENVIRONMENT, environmentHelp } from '../environment.js';
import type { Report } from '../report/model.js';

/** `oidc-cli environment` / `oidc-cli help environment`: the variables read, as text or --json. */
export async function run(): Promise<Report> {
  return { command: 'environment', checks: [], data: { environment: ENVIRONMENT }, sections: [], bare: environmentHelp() };
}
