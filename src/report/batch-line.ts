import { makeChalk } from '../ui/color.js';
import { renderHumanLine } from './human.js';
import { jsonSafe, renderJson } from './json.js';
import { isOk, type Report } from './model.js';
import { SecretRegistry, type SecretKind } from './secrets.js';

/**
 * The output gate's settings for batch results, as plain data: main.ts renders with them, and so does a
 * worker thread that judges a batch (commands/decode-worker.ts), so both print the same bytes.
 */
export interface BatchGate {
  json: boolean;
  strict: boolean;
  color: boolean;
  /** --show-tokens. */
  reveal: boolean;
  /** Every value the run knows to be secret when the batch starts, masked in each result. */
  secrets: Array<[value: string, kind: SecretKind]>;
}

/** One line of batch output per result: NDJSON, or the human ✔/✖ line; both masked. */
export type BatchLineRenderer = (report: Report, index: number) => { text: string; ok: boolean };

export function batchLineRenderer(gate: Pick<BatchGate, 'json' | 'strict' | 'color'>, mask: (text: string) => string): BatchLineRenderer {
  const chalk = makeChalk(gate.color);
  return (report, index) => ({
    text: gate.json ? jsonSafe(mask(renderJson(report, gate.strict, false))) : mask(renderHumanLine(report, index, chalk, gate.strict)),
    ok: isOk(report, gate.strict),
  });
}

/** The same renderer from the gate's data alone (on a worker thread, with a registry of its own). */
export function batchLineRendererFrom(gate: BatchGate): BatchLineRenderer {
  const secrets = new SecretRegistry();
  for (const [value, kind] of gate.secrets) secrets.add(value, kind);
  secrets.reveal = gate.reveal;
  return batchLineRenderer(gate, (text) => secrets.mask(text));
}
