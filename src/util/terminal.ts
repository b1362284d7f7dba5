import { show } from './show.js';

// C0 controls except tab and newline, DEL, and the C1 range (0x9b is an 8-bit CSI on some terminals).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text from outside (IdP answers, token contents, callback parameters) made safe to print on a terminal:
 * control characters are shown as \xNN, so a hostile value cannot rewrite a line (\r), move the cursor,
 * clear the screen, set the window title or reach the clipboard (OSC sequences). Apply before colouring.
 */
export function printable(text: string): string {
  // Typed string, but a report field may carry a raw header value ({"typ": {...}}): show it as JSON.
  const value: unknown = text;
  return show(value).replace(CONTROL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
