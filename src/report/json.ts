import { JSON_SCHEMA_VERSION, isOk, type Report } from './model.js';

/** The documented JSON document: `{schema_version, command, ok, ...data, checks, steps?}`. */
export function toJsonDocument(report: Report, strict: boolean): Record<string, unknown> {
  const document: Record<string, unknown> = {
    schema_version: JSON_SCHEMA_VERSION,
    command: report.command,
    ok: isOk(report, strict),
    ...report.data,
    checks: report.checks,
  };
  if (report.steps) document.steps = report.steps;
  return document;
}

export function renderJson(report: Report, strict: boolean, pretty = true): string {
  return JSON.stringify(toJsonDocument(report, strict), null, pretty ? 2 : undefined) + '\n';
}
