import { show } from './show.js';

// C0 controls except tab and newline, DEL, and the C1 range (0x9b is an 8-bit CSI on some terminals).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// What reorders or breaks a line without being a control: bidi overrides, isolates and marks (a
// right-to-left override turns "✖ ... fail" into text that reads as something else) and the Unicode
// line and paragraph separators.
const REORDERING = /[\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from outside (IdP answers, token contents, callback parameters) made safe to print on a terminal:
 * control characters are shown as \xNN, so a hostile value cannot rewrite a line (\r), move the cursor,
 * clear the screen, set the window title or reach the clipboard (OSC sequences). Apply before colouring.
 */
export function printable(text: string): string {
  // Typed string, but a report field may carry a raw header value ({"typ": {...}}): show it as JSON.
  const value: unknown = text;
  return show(value)
    .replace(CONTROL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(REORDERING, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The same for a value that must stay on its line (a check message, a field, a table cell, a progress
 * line): a newline from outside would print a line of its own, such as a forged "✔ id_token.signature".
 */
export function oneLine(text: string): string {
  return printable(text).replace(/\n/g, '\\n');
}
