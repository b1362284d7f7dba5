import { checkDefinition, type CheckId } from '../checks/catalogue.js';
import { specLink } from '../checks/spec-links.js';
import type { CheckResult, Severity } from '../checks/types.js';
import type { Report } from './model.js';

/**
 * SARIF 2.1.0 (OASIS) for code scanning (`check --sarif FILE`): one rule per check id the run judged,
 * from the catalogue (title, spec, hint, severity), and one result per failed or warned check. The
 * "artifact" a finding points at is the issuer's metadata URL: an IdP has no source file here.
 */
export interface SarifOptions {
  toolVersion: string;
  /** The discovery document's URL, the location every result points at. */
  location: string;
  /** The run's exit code, for the invocation record. */
  exitCode: number;
  /** Warnings fail the run (--fail-on warn / --strict): they are reported at level error then. */
  warningsFail: boolean;
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
// GitHub code scanning ranks security findings by this property (0.0–10.0).
const SECURITY_SEVERITY: Record<Severity, string> = { error: '7.5', warning: '4.0', info: '1.0' };

function rule(id: CheckId) {
  const definition = checkDefinition(id);
  const helpUri = specLink(definition.spec);
  return {
    id,
    name: id,
    shortDescription: { text: definition.title },
    fullDescription: { text: `${definition.title} (${definition.spec})` },
    ...(definition.hint ? { help: { text: `${definition.hint}\nSpec: ${definition.spec}` } } : {}),
    ...(helpUri ? { helpUri } : {}),
    defaultConfiguration: { level: LEVEL[definition.severity] },
    properties: { tags: ['security', 'oidc', id.split('.')[0]!], 'security-severity': SECURITY_SEVERITY[definition.severity] },
  };
}

function result(check: CheckResult, ruleIndex: number, options: SarifOptions) {
  return {
    ruleId: check.id,
    ruleIndex,
    level: check.status === 'fail' || options.warningsFail ? ('error' as const) : ('warning' as const),
    message: { text: check.hint ? `${check.message}. Hint: ${check.hint}` : check.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: options.location } } }],
    // Stable across runs, so a code-scanning alert is updated rather than opened again.
    partialFingerprints: { 'oidcCheck/v1': `${check.id}@${options.location}` },
    // A finding the baseline accepts is reported suppressed (check --baseline), as code scanning expects.
    ...(check.accepted !== undefined ? { suppressions: [{ kind: 'external', justification: check.accepted }] } : {}),
  };
}

export function renderSarif(report: Report, options: SarifOptions): string {
  const ids = [...new Set(report.checks.map((check) => check.id))];
  const index = new Map(ids.map((id, i) => [id, i]));
  const findings = report.checks.filter((check) => check.status === 'fail' || check.status === 'warn');
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'oidc-cli', version: options.toolVersion, rules: ids.map(rule) } },
        invocations: [{ executionSuccessful: options.exitCode === 0 || options.exitCode === 1, exitCode: options.exitCode }],
        results: findings.map((check) => result(check, index.get(check.id)!, options)),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/**
 * A run that could not complete (exit 3 or 4): the reason as a tool notification, and the findings among
 * the checks judged before the stop (`judged`), so code scanning still sees them.
 */
export function renderSarifError(message: string, options: Pick<SarifOptions, 'toolVersion' | 'exitCode'> & Partial<Pick<SarifOptions, 'location' | 'warningsFail'>>, judged: readonly CheckResult[] = []): string {
  const ids = [...new Set(judged.map((check) => check.id))];
  const index = new Map(ids.map((id, i) => [id, i]));
  const resultOptions: SarifOptions = { toolVersion: options.toolVersion, exitCode: options.exitCode, location: options.location ?? '', warningsFail: options.warningsFail ?? false };
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'oidc-cli', version: options.toolVersion, rules: ids.map(rule) } },
        invocations: [{ executionSuccessful: false, exitCode: options.exitCode, toolExecutionNotifications: [{ level: 'error', message: { text: message } }] }],
        results: judged.filter((check) => check.status === 'fail' || check.status === 'warn').map((check) => result(check, index.get(check.id)!, resultOptions)),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
