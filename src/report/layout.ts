/**
 * Laying the human report out for a terminal of known width: a message wraps at word boundaries under
 * its own column, a long value without spaces (a URL, a thumbprint, a token) is elided in the middle.
 * The full values stay in --json. Piped output (no width) is not laid out at all.
 */

/** What the human renderer needs to lay out for a terminal; absent for a pipe. */
export interface Layout {
  /** Columns of the terminal (or COLUMNS). */
  width: number;
  /**
   * The run's secret mask, applied before a value is cut or wrapped: the output gate masks the whole
   * text again afterwards, but it can no longer recognise a secret split over two lines or elided.
   */
  mask: (text: string) => string;
  /** `check` on a terminal: failures and warnings first, the passing lines only with -v. */
  findingsFirst: boolean;
}

/** The narrowest width laid out for; below it lines are left whole (wrapping would only make them worse). */
export const MIN_WIDTH = 40;

const ELLIPSIS = '…';

/** The middle of a long word replaced by "…", keeping its start and its end (both tell URLs apart). */
export function elideMiddle(text: string, max: number): string {
  if (text.length <= max || max < 8) return text;
  const keep = max - ELLIPSIS.length;
  const head = Math.ceil(keep * 0.6);
  return `${text.slice(0, head)}${ELLIPSIS}${text.slice(text.length - (keep - head))}`;
}

/**
 * `text` in lines of at most `width` characters, broken at spaces; a word longer than a line is elided
 * in the middle. Always at least one line.
 */
export function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const raw of text.split(' ')) {
    const word = elideMiddle(raw, width);
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  return lines;
}

/**
 * Column widths that fit `width` in total (with `gap` between columns): while the row is too wide, the
 * widest column gives up space, never below `floor`. Cells are then elided to their column.
 */
export function fitColumns(widths: readonly number[], width: number, gap = 2, floor = 8): number[] {
  const out = [...widths];
  const total = () => out.reduce((sum, w) => sum + w, 0) + gap * (out.length - 1);
  while (total() > width) {
    let widest = 0;
    for (let i = 1; i < out.length; i += 1) if (out[i]! > out[widest]!) widest = i;
    if (out[widest]! <= floor) break;
    out[widest] = Math.max(floor, out[widest]! - (total() - width));
  }
  return out;
}
