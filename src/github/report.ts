import type { CheckResult } from '../checks/types.js';

/**
 * What the GitHub Action (action.yml) makes of a `check --json` document: a Markdown job summary
 * ($GITHUB_STEP_SUMMARY), one `::error`/`::warning` annotation per failed or warned check, and the
 * step's outputs ($GITHUB_OUTPUT). Pure: src/github/action.ts does the reading and writing.
 */
export interface CheckDocument {
  ok: boolean;
  checks: CheckResult[];
  issuer?: string;
  groups?: Array<{ group: string; pass: number; fail: number; warn: number; skip: number }>;
  error?: { code: string; message: string; hint: string | null; exit_code: number };
}

/** A workflow command's data: %, CR and LF are escaped (the runner's own escaping rules). */
const commandData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** A workflow command's property (title=...): also ':' and ','. */
const commandProperty = (text: string) => commandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** One annotation a failed (error) or warned (warning) check; none for the rest. */
export function annotations(document: CheckDocument): string[] {
  const lines = document.checks
    .filter((check) => (check.status === 'fail' || check.status === 'warn') && check.accepted === undefined)
    .map((check) => `::${check.status === 'fail' ? 'error' : 'warning'} title=${commandProperty(`${check.id} (${check.spec})`)}::${commandData(check.hint ? `${check.message}\nHint: ${check.hint}` : check.message)}`);
  if (document.error) lines.push(`::error title=${commandProperty(`oidc-cli check could not complete (${document.error.code})`)}::${commandData(document.error.hint ? `${document.error.message}\nHint: ${document.error.hint}` : document.error.message)}`);
  return lines;
}

/** Markdown text: a | or a newline inside a cell would break the table. */
const cell = (text: string) => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/</g, '&lt;');

export function summary(document: CheckDocument): string {
  const failed = document.checks.filter((check) => check.status === 'fail' && check.accepted === undefined);
  const warned = document.checks.filter((check) => check.status === 'warn' && check.accepted === undefined);
  const accepted = document.checks.filter((check) => check.accepted !== undefined && (check.status === 'fail' || check.status === 'warn'));
  const verdict = document.error ? '⚠️ could not complete' : document.ok ? '✅ passed' : '❌ failed';
  const lines = [`## oidc-cli check${document.issuer ? ` — ${cell(document.issuer)}` : ''}: ${verdict}`, ''];
  if (document.error) lines.push(`**${cell(document.error.message)}**${document.error.hint ? ` — ${cell(document.error.hint)}` : ''}`, '');
  lines.push(`${document.checks.length - failed.length - warned.length - accepted.length} passed or skipped, **${failed.length} failed**, ${warned.length} warnings${accepted.length ? `, ${accepted.length} accepted in the baseline` : ''}.`, '');
  if (failed.length || warned.length) {
    lines.push('| | check | message | spec |', '| --- | --- | --- | --- |');
    for (const check of [...failed, ...warned]) lines.push(`| ${check.status === 'fail' ? '❌' : '⚠️'} | \`${check.id}\` | ${cell(check.message)}${check.hint ? `<br>*${cell(check.hint)}*` : ''} | ${cell(check.spec)} |`);
    lines.push('');
  }
  if (document.groups?.length) {
    lines.push('<details><summary>By group</summary>', '', '| group | pass | fail | warn | skip |', '| --- | --- | --- | --- | --- |');
    for (const group of document.groups) lines.push(`| ${cell(group.group)} | ${group.pass} | ${group.fail} | ${group.warn} | ${group.skip} |`);
    lines.push('', '</details>', '');
  }
  return `${lines.join('\n')}\n`;
}

/** `name=value` lines for $GITHUB_OUTPUT (values here never hold a newline). */
export function outputs(document: CheckDocument, files: { json: string; junit: string; sarif: string; html: string }): string {
  const failed = document.checks.filter((check) => check.status === 'fail' && check.accepted === undefined).length;
  const warned = document.checks.filter((check) => check.status === 'warn' && check.accepted === undefined).length;
  return [`ok=${document.ok}`, `failed=${failed}`, `warnings=${warned}`, `json=${files.json}`, `junit=${files.junit}`, `sarif=${files.sarif}`, `html=${files.html}`].join('\n') + '\n';
}
