import type { ChalkInstance } from 'chalk';
import type { CheckResult, Status } from '../checks/types.js';
import { oneLine } from '../util/terminal.js';
import { countStatuses, isOk, type Report, type Section } from './model.js';

const SYMBOLS: Record<Status, string> = { pass: '✔', fail: '✖', warn: '!', skip: '-' };

/**
 * The widest of `texts`, at least `min`. A loop, not Math.max(...lengths): a key set of 300 000 keys
 * is 300 000 rows, and spreading them into one call's arguments overflows the stack.
 */
function widest(texts: Iterable<string>, min = 0): number {
  let width = min;
  for (const text of texts) if (text.length > width) width = text.length;
  return width;
}

export function statusSymbol(status: Status, c: ChalkInstance): string {
  const paint = { pass: c.green, fail: c.red, warn: c.yellow, skip: c.dim }[status];
  return paint(SYMBOLS[status]);
}

function renderSection(section: Section, c: ChalkInstance): string {
  const lines = [c.bold(oneLine(section.title))];
  switch (section.kind) {
    case 'fields': {
      const width = widest(section.fields.map(([label]) => label));
      for (const [label, value] of section.fields) lines.push(`  ${c.dim(oneLine(label).padEnd(width))}  ${oneLine(value)}`);
      break;
    }
    case 'json': {
      const text = JSON.stringify(section.value, null, 2) ?? 'undefined';
      for (const line of text.split('\n')) {
        // Notes (humanised times) go after the member they explain: `"exp": 1700000000,  // in 4m 12s`.
        const key = /^\s*"([^"]+)":/.exec(line)?.[1];
        // Own members only: a claim named "constructor" has no note, not Object's constructor as one.
        const note = key !== undefined && /^ {2}"/.test(line) && section.notes && Object.hasOwn(section.notes, key) ? section.notes[key] : undefined;
        lines.push(`  ${oneLine(line)}${note ? c.dim(`  // ${oneLine(note)}`) : ''}`);
      }
      break;
    }
    case 'table': {
      const widths = section.columns.map((col, i) => widest(section.rows.map((row) => row[i] ?? ''), col.length));
      const format = (cells: string[]) => cells.map((cell, i) => oneLine(cell).padEnd(widths[i]!)).join('  ').trimEnd();
      lines.push(`  ${c.dim(format(section.columns))}`);
      for (const row of section.rows) lines.push(`  ${format(row)}`);
      if (section.rows.length === 0) lines.push(`  ${c.dim('(none)')}`);
      break;
    }
    case 'text':
      for (const line of section.text.split('\n')) lines.push(`  ${oneLine(line)}`);
      break;
  }
  return lines.join('\n');
}

export function renderCheckLine(check: CheckResult, c: ChalkInstance, idWidth = 0): string[] {
  const lines = [`  ${statusSymbol(check.status, c)} ${check.id.padEnd(idWidth)}  ${oneLine(check.message)}`];
  if (check.status === 'fail' || check.status === 'warn') {
    const indent = ' '.repeat(4);
    lines.push(`${indent}${c.dim(`spec: ${check.spec}`)}`);
    if (check.hint) lines.push(`${indent}${c.cyan(`hint: ${oneLine(check.hint)}`)}`);
  }
  return lines;
}

export function summaryLine(checks: readonly CheckResult[], ok: boolean, c: ChalkInstance): string {
  const n = countStatuses(checks);
  const verdict = ok ? c.green.bold('OK') : c.red.bold('FAILED');
  return `${verdict}  ${n.pass} passed, ${n.fail} failed, ${n.warn} warnings, ${n.skip} skipped`;
}

/** The full human report: sections, steps, checks, summary. */
export function renderHuman(report: Report, c: ChalkInstance, strict: boolean): string {
  const blocks = report.sections.map((section) => renderSection(section, c));
  if (report.steps?.length) {
    const width = widest(report.steps.map((s) => s.name));
    blocks.push([c.bold('Timings'), ...report.steps.map((s) => `  ${s.name.padEnd(width)}  ${String(s.ms).padStart(6)} ms`)].join('\n'));
  }
  if (report.checks.length) {
    const idWidth = Math.min(36, widest(report.checks.map((check) => check.id)));
    blocks.push([c.bold('Checks'), ...report.checks.flatMap((check) => renderCheckLine(check, c, idWidth))].join('\n'));
  }
  // A listing with no checks (e.g. `checks`) has no verdict to print.
  if (report.checks.length) blocks.push(summaryLine(report.checks, isOk(report, strict), c));
  return blocks.join('\n\n') + '\n';
}

/** One line per report, for batch input (decode of many tokens). */
export function renderHumanLine(report: Report, index: number, c: ChalkInstance, strict: boolean): string {
  const ok = isOk(report, strict);
  const failing = report.checks.filter((check) => check.status === 'fail' || (strict && check.status === 'warn'));
  const label = typeof report.data.line === 'number' ? `line ${report.data.line}` : `#${index + 1}`;
  const detail = ok ? '' : `  ${failing.map((check) => `${check.id}: ${oneLine(check.message)}`).join('; ')}`;
  return `${ok ? c.green('✔ ok  ') : c.red('✖ fail')}  ${label}${detail}\n`;
}
