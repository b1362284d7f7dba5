import { resolve } from 'node:path';
import { CliError, ReportedStop, usageError } from '../errors.js';
import type { Report } from '../report/model.js';
import type { Context } from './context.js';

/**
 * `--html FILE` of check and login: the page is written whatever the run's end (PRODUCT.md "One document
 * per run"): the report when there is one, else the error with what was judged before it. Rendering
 * loads only when a page is asked for.
 */
export function htmlPathOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw usageError('--html needs a file name');
  return resolve(value);
}

export async function writeHtmlReport(path: string, command: 'check' | 'login', issuer: string, outcome: Report | unknown, context: Context): Promise<void> {
  const { renderHtml } = await import('../report/html.js');
  const options = { title: `oidc-cli ${command}`, toolVersion: context.version, issuer, generatedAt: new Date(), warningsFail: context.globals.strict, flow: context.flowLog, mask: context.mask };
  if (outcome instanceof ReportedStop) outcome = { command, ...outcome.report };
  if (!(outcome instanceof Error)) {
    await context.writeFile(path, renderHtml(outcome as Report, options), '--html');
    return context.ui.detail(`HTML report written to ${path}`);
  }
  // A mistake in the command line is said on the terminal: there is no run to report.
  if (!(outcome instanceof CliError) || outcome.code === 'USAGE' || outcome.code === 'INPUT') return;
  const page = renderHtml({ checks: [...(outcome.judged ?? [])], sections: [], steps: [] }, options, { message: outcome.message, hint: outcome.hint, exitCode: outcome.exitCode });
  // The run's own error is the one to report; a page that cannot be written is said in one warning.
  await context.writeFile(path, page, '--html').catch((failure: Error) => context.ui.warn(failure.message));
}
