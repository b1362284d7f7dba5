import type { ChalkInstance } from 'chalk';
import type { CheckResult, Status } from '../checks/types.js';
import { oneLine } from '../util/terminal.js';
import { elideMiddle, fitColumns, MIN_WIDTH, wrap, type Layout } from './layout.js';
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

/** A value as printed: masked first when laid out (see Layout.mask), then kept on its line. */
const shown = (text: string, layout: Layout | undefined) => oneLine(layout ? layout.mask(text) : text);

/** Lines of `text` after a prefix `indent` wide: wrapped to the width when laid out, one line otherwise. */
function flow(text: string, indent: number, layout: Layout | undefined): string[] {
  return layout ? wrap(text, Math.max(MIN_WIDTH / 2, layout.width - indent)) : [text];
}

function renderSection(section: Section, c: ChalkInstance, layout: Layout | undefined): string {
  const lines = [c.bold(shown(section.title, layout))];
  switch (section.kind) {
    case 'fields': {
      const width = widest(section.fields.map(([label]) => label));
      const indent = ' '.repeat(2 + width + 2);
      for (const [label, value] of section.fields) {
        const [first, ...rest] = flow(shown(value, layout), indent.length, layout);
        lines.push(`  ${c.dim(shown(label, layout).padEnd(width))}  ${first}`, ...rest.map((line) => `${indent}${line}`));
      }
      break;
    }
    case 'json': {
      const text = JSON.stringify(section.value, null, 2) ?? 'undefined';
      for (const line of text.split('\n')) {
        // Notes (humanised times) go after the member they explain: `"exp": 1700000000,  // in 4m 12s`.
        const key = /^\s*"([^"]+)":/.exec(line)?.[1];
        // Own members only: a claim named "constructor" has no note, not Object's constructor as one.
        const note = key !== undefined && /^ {2}"/.test(line) && section.notes && Object.hasOwn(section.notes, key) ? section.notes[key] : undefined;
        const member = layout ? elideMiddle(shown(line, layout), layout.width - 2) : shown(line, layout);
        const comment = note ? `  // ${shown(note, layout)}` : '';
        lines.push(`  ${member}${comment && (!layout || member.length + comment.length + 2 <= layout.width) ? c.dim(comment) : ''}`);
      }
      break;
    }
    case 'table': {
      const natural = section.columns.map((col, i) => widest(section.rows.map((row) => row[i] ?? ''), col.length));
      const widths = layout ? fitColumns(natural, layout.width - 2) : natural;
      const cell = (text: string, i: number) => elideMiddle(shown(text, layout), widths[i]!).padEnd(widths[i]!);
      const format = (cells: string[]) => cells.map(cell).join('  ').trimEnd();
      lines.push(`  ${c.dim(format(section.columns))}`);
      for (const row of section.rows) lines.push(`  ${format(row)}`);
      if (section.rows.length === 0) lines.push(`  ${c.dim('(none)')}`);
      break;
    }
    case 'text':
      for (const line of section.text.split('\n')) lines.push(...flow(shown(line, layout), 2, layout).map((part) => `  ${part}`));
      break;
  }
  return lines.join('\n');
}

export function renderCheckLine(check: CheckResult, c: ChalkInstance, idWidth = 0, layout?: Layout): string[] {
  const lead = `  ${SYMBOLS[check.status]} ${check.id.padEnd(idWidth)}  `;
  const message = check.accepted !== undefined ? `${check.message} (${check.accepted})` : check.message;
  const [first, ...rest] = flow(shown(message, layout), lead.length, layout);
  const lines = [`  ${statusSymbol(check.status, c)} ${check.id.padEnd(idWidth)}  ${first}`, ...rest.map((line) => `${' '.repeat(lead.length)}${line}`)];
  if ((check.status === 'fail' || check.status === 'warn') && check.accepted === undefined) {
    const indent = ' '.repeat(4);
    lines.push(...flow(`spec: ${check.spec}`, indent.length, layout).map((line) => `${indent}${c.dim(line)}`));
    // Continuation lines stand under the hint's first word, not under "hint:".
    if (check.hint) lines.push(...flow(shown(check.hint, layout), indent.length + 6, layout).map((line, i) => `${indent}${c.cyan(`${i === 0 ? 'hint: ' : '      '}${line}`)}`));
  }
  return lines;
}

export function summaryLine(checks: readonly CheckResult[], ok: boolean, c: ChalkInstance): string {
  const accepted = checks.filter((check) => check.accepted !== undefined && check.status !== 'pass' && check.status !== 'skip').length;
  const n = countStatuses(checks.filter((check) => check.accepted === undefined));
  const verdict = ok ? c.green.bold('OK') : c.red.bold('FAILED');
  return `${verdict}  ${n.pass} passed, ${n.fail} failed, ${n.warn} warnings, ${n.skip} skipped${accepted ? `, ${accepted} accepted (baseline)` : ''}`;
}

/**
 * The full human report: sections, steps, checks, summary. With a layout (a terminal of known width)
 * lines fit the width; `check` on a terminal leads with its failures and warnings, and lists the
 * passing checks only with -v (CI logs, not terminals, keep every line).
 */
export function renderHuman(report: Report, c: ChalkInstance, strict: boolean, layout?: Layout): string {
  const blocks = report.sections.map((section) => renderSection(section, c, layout));
  if (report.steps?.length) {
    const width = widest(report.steps.map((s) => s.name));
    blocks.push([c.bold('Timings'), ...report.steps.map((s) => `  ${s.name.padEnd(width)}  ${String(s.ms).padStart(6)} ms`)].join('\n'));
  }
  if (report.checks.length) {
    const idWidth = Math.min(36, widest(report.checks.map((check) => check.id)));
    const findingsOnly = layout?.findingsFirst === true && report.command === 'check' && report.listAll !== true;
    const listed = findingsOnly ? report.checks.filter((check) => (check.status === 'fail' || check.status === 'warn') && check.accepted === undefined) : report.checks;
    const lines = [c.bold(findingsOnly ? 'Findings' : 'Checks'), ...listed.flatMap((check) => renderCheckLine(check, c, idWidth, layout))];
    if (findingsOnly) {
      if (listed.length === 0) lines.push(`  ${c.green('no failure and no warning')}`);
      lines.push(c.dim(`  ${report.checks.length - listed.length} passing and skipped checks not listed: --all lists every check`));
      blocks.unshift(lines.join('\n'));
    } else blocks.push(lines.join('\n'));
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
