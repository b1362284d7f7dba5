import { specLink } from '../checks/spec-links.js';
import type { CheckResult, Status } from '../checks/types.js';
import { BROWSER, CLI, LISTENER, type FlowEvent } from '../core/flow-log.js';
import { oneLine, printable } from '../util/terminal.js';
import { xmlAttribute, xmlText } from './junit.js';
import { elideMiddle } from './layout.js';
import { countStatuses, isOk, type Report, type Section } from './model.js';

/**
 * `--html FILE` (check, login): one self-contained page to attach to a ticket or a CI run. A sequence
 * diagram of the run as it happened (the flow log: every request oidc-cli sent, each browser round
 * trip, with timings), then the checks grouped with their spec links and hints, then the timings.
 * No script, no external asset, and a Content-Security-Policy that forbids both: a value an IdP chose
 * is only ever text here. Every string passes `mask` (the run's secrets) before it is escaped, so an
 * escape cannot hide a secret from the masking.
 */
export interface HtmlOptions {
  /** "oidc-cli check", "oidc-cli login". */
  title: string;
  toolVersion: string;
  issuer: string;
  generatedAt: Date;
  /** Warnings fail the run (--strict / --fail-on warn), as for the exit code. */
  warningsFail: boolean;
  flow: { events: readonly FlowEvent[]; dropped: number };
  mask: (text: string) => string;
}

/** The run could not complete (exit 3 or 4): the page says why, with what was judged before. */
export interface HtmlError {
  message: string;
  hint?: string | undefined;
  exitCode: number;
}

const STATUS_MARK: Record<Status, string> = { pass: '✔', fail: '✖', warn: '⚠', skip: '○' };

export function renderHtml(report: Pick<Report, 'checks' | 'sections' | 'steps'>, options: HtmlOptions, error?: HtmlError): string {
  const text = (value: string) => xmlText(oneLine(options.mask(value)));
  const block = (value: string) => xmlText(printable(options.mask(value)));
  const attr = (value: string) => xmlAttribute(oneLine(options.mask(value)));
  const ok = error === undefined && isOk(report, options.warningsFail);
  const counts = countStatuses(report.checks);
  const verdict = error ? `ERROR (exit ${error.exitCode})` : ok ? 'PASS' : 'FAIL';
  const fields = report.sections.find((section): section is Extract<Section, { kind: 'fields' }> => section.kind === 'fields');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${attr(`oidc-cli ${options.toolVersion}`)}">
<title>${text(`${options.title} ${options.issuer}: ${verdict}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${text(options.title)}</h1>
<p class="verdict ${error ? 'error' : ok ? 'pass' : 'fail'}">${text(verdict)} <span>${counts.pass} passed, ${counts.fail} failed, ${counts.warn} warnings, ${counts.skip} skipped</span></p>
${error ? `<p class="run-error">${text(error.message)}${error.hint ? `<br><span class="hint">hint: ${text(error.hint)}</span>` : ''}</p>` : ''}
<dl>
<dt>issuer</dt><dd>${text(options.issuer)}</dd>
${(fields?.fields ?? [])
  .filter(([label]) => label !== 'issuer')
  .map(([label, value]) => `<dt>${text(label)}</dt><dd>${text(value)}</dd>`)
  .join('\n')}
<dt>generated</dt><dd>${text(options.generatedAt.toISOString())} by oidc-cli ${text(options.toolVersion)}</dd>
</dl>
</header>
${findings(report.checks, text)}
<section id="flow">
<h2>The flow as it ran</h2>
${sequenceDiagram(options.flow.events, options.issuer, text, attr)}
<p class="legend">${options.flow.events.length} step(s) in the order they started; times from the start of the run. Solid: seen by oidc-cli; orange, an error answer (what a probe often expects); red, no answer. Dashed: the browser's sign-in at the IdP, which oidc-cli does not see; it is known from where the browser was sent and from what reached the listener. Only methods, paths, status codes, OAuth error codes and parameter names are shown, never a value.${options.flow.dropped > 0 ? ` ${options.flow.dropped} later step(s) are not drawn.` : ''}</p>
</section>
${report.sections
  .filter((section) => section !== fields)
  .map((section) => details(section, text, block))
  .join('\n')}
${checkGroups(report.checks, text, attr)}
${timings(report.steps ?? [], text)}
</body>
</html>
`;
}

/** A section of the human report (token response, ID token claims, by-group counts), as the terminal shows it. */
function details(section: Section, text: (value: string) => string, block: (value: string) => string): string {
  const title = `<h2>${text(section.title)}</h2>`;
  switch (section.kind) {
    case 'fields':
      return `<section class="details">${title}<dl>${section.fields.map(([label, value]) => `<dt>${text(label)}</dt><dd>${text(value)}</dd>`).join('')}</dl></section>`;
    case 'table': {
      const head = `<tr>${section.columns.map((column) => `<th>${text(column)}</th>`).join('')}</tr>`;
      const rows = section.rows.map((row) => `<tr>${row.map((cell) => `<td>${text(cell)}</td>`).join('')}</tr>`);
      return `<section class="details">${title}<table class="grid">${head}${rows.join('')}</table></section>`;
    }
    case 'json': {
      const notes = Object.entries(section.notes ?? {}).map(([claim, note]) => `<dt>${text(claim)}</dt><dd>${text(note)}</dd>`);
      return `<section class="details">${title}<pre>${block(jsonText(section.value))}</pre>${notes.length ? `<dl>${notes.join('')}</dl>` : ''}</section>`;
    }
    case 'text':
      return `<section class="details">${title}<pre>${block(section.text)}</pre></section>`;
  }
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Failures and warnings first, each linked to its row: what to read before anything else. */
function findings(checks: readonly CheckResult[], text: (value: string) => string): string {
  const listed = checks.map((check, index) => ({ check, index })).filter(({ check }) => check.status === 'fail' || check.status === 'warn');
  if (listed.length === 0) return '';
  const items = listed.map(({ check, index }) => `<li class="${check.status}"><a href="#check-${index}">${STATUS_MARK[check.status]} ${text(check.id)}</a> ${text(check.message)}${check.accepted !== undefined ? ' <em>(accepted by the baseline)</em>' : ''}</li>`);
  return `<section id="findings">\n<h2>Findings</h2>\n<ul>\n${items.join('\n')}\n</ul>\n</section>`;
}

function checkGroups(checks: readonly CheckResult[], text: (value: string) => string, attr: (value: string) => string): string {
  const groups = new Map<string, Array<{ check: CheckResult; index: number }>>();
  checks.forEach((check, index) => {
    const group = check.id.split('.')[0]!;
    groups.set(group, [...(groups.get(group) ?? []), { check, index }]);
  });
  const sections = [...groups].map(([group, rows]) => {
    const n = countStatuses(rows.map(({ check }) => check));
    const body = rows.map(({ check, index }) => {
      const link = specLink(check.spec);
      const spec = link ? `<a href="${attr(link)}" rel="noreferrer">${text(check.spec)}</a>` : text(check.spec);
      const status = check.accepted !== undefined ? `${check.status}, accepted` : check.status;
      return `<tr id="check-${index}" class="${check.status}"><td class="status">${STATUS_MARK[check.status]} ${text(status)}</td><td class="id">${text(check.id)}</td><td>${text(check.message)}${check.hint && check.status !== 'pass' ? `<div class="hint">hint: ${text(check.hint)}</div>` : ''}${check.accepted !== undefined ? `<div class="hint">accepted: ${text(check.accepted)}</div>` : ''}<div class="spec">${spec}</div></td></tr>`;
    });
    return `<section class="group">\n<h3>${text(group)} <span>${n.pass} pass · ${n.fail} fail · ${n.warn} warn · ${n.skip} skip</span></h3>\n<table>\n${body.join('\n')}\n</table>\n</section>`;
  });
  return `<section id="checks">\n<h2>Checks</h2>\n${sections.join('\n') || '<p>No check was judged.</p>'}\n</section>`;
}

function timings(steps: readonly { name: string; ms: number }[], text: (value: string) => string): string {
  if (steps.length === 0) return '';
  const rows = steps.map((step) => `<tr><td>${text(step.name)}</td><td class="ms">${step.ms} ms</td></tr>`);
  return `<section id="timings">\n<h2>Timings</h2>\n<table>\n${rows.join('\n')}\n</table>\n</section>`;
}

// The diagram's geometry, in SVG user units (px).
const LANE = 210;
const TIME_COLUMN = 80;
const HEAD = 58;
const ROW = 34;
/** Room right of the last lane, so a label that starts there still fits. */
const RIGHT_MARGIN = 140;
/** Width of one character of the diagram's 12px monospace font, to elide a label before the edge. */
const CHAR_WIDTH = 7.3;

/** The lanes, left to right: oidc-cli and its listener, the browser, the issuer, then any other server. */
function lanesOf(events: readonly FlowEvent[], issuer: string): string[] {
  const parties = new Set(events.flatMap((event) => [event.from, event.to]));
  const issuerOrigin = originOf(issuer);
  const servers = [...parties].filter((party) => party !== CLI && party !== LISTENER && party !== BROWSER);
  servers.sort((a, b) => Number(b === issuerOrigin) - Number(a === issuerOrigin));
  return [CLI, ...[LISTENER, BROWSER].filter((party) => parties.has(party)), ...servers];
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function laneTitle(party: string, issuer: string): [string, string] {
  if (party === CLI) return ['oidc-cli', ''];
  if (party === LISTENER) return ['listener', 'loopback redirect_uri'];
  if (party === BROWSER) return ['browser', ''];
  const host = originOf(party) ? new URL(party).host : party;
  return party === originOf(issuer) ? ['IdP', host] : ['server', host];
}

function seconds(ms: number): string {
  return ms < 1000 ? `+${ms} ms` : `+${(ms / 1000).toFixed(2)} s`;
}

/** One arrow per step, top to bottom in the order they started; lanes are the parties. */
function sequenceDiagram(events: readonly FlowEvent[], issuer: string, text: (value: string) => string, attr: (value: string) => string): string {
  if (events.length === 0) return '<p>No request was sent.</p>';
  const lanes = lanesOf(events, issuer);
  const x = (party: string) => TIME_COLUMN + LANE * lanes.indexOf(party) + LANE / 2;
  const width = TIME_COLUMN + LANE * lanes.length + RIGHT_MARGIN;
  const height = HEAD + ROW * (events.length + 1);
  const heads = lanes.map((party) => {
    const [title, subtitle] = laneTitle(party, issuer);
    const left = x(party) - LANE / 2 + 10;
    return `<g class="lane"><rect x="${left}" y="6" width="${LANE - 20}" height="40" rx="4"/><text x="${x(party)}" y="${subtitle ? 23 : 31}" class="lane-title">${text(title)}</text>${subtitle ? `<text x="${x(party)}" y="39" class="lane-sub">${text(elideMiddle(subtitle, 30))}</text>` : ''}<line x1="${x(party)}" y1="46" x2="${x(party)}" y2="${height - 8}" class="lifeline"/></g>`;
  });
  const arrows = events.map((event, row) => {
    const y = HEAD + ROW * (row + 1);
    const [x1, x2] = [x(event.from), x(event.to)];
    // Colour says what HTTP answered, not whether a check passed: a probe often expects the refusal.
    const answer = !event.seen || event.outcome === undefined ? '' : event.outcome.startsWith('no answer') ? ' unanswered' : /^[45]\d\d/.test(event.outcome) ? ' refused' : '';
    const kind = `arrow${event.seen ? '' : ' inferred'}${answer}`;
    const said = `${event.label}${event.outcome ? ` → ${event.outcome}` : ''}${event.ms !== undefined ? ` · ${event.ms} ms` : ''}`;
    const labelX = Math.min(x1, x2) + 8;
    const room = Math.floor((width - labelX - 8) / CHAR_WIDTH);
    return `<g class="${kind}" data-from="${attr(event.from)}" data-to="${attr(event.to)}"><title>${text(`${seconds(event.at_ms)}  ${event.from} → ${event.to}: ${said}`)}</title><text x="8" y="${y + 4}" class="time">${seconds(event.at_ms)}</text><line x1="${x1}" y1="${y}" x2="${x2 + (x2 > x1 ? -6 : 6)}" y2="${y}" marker-end="url(#head)"/><text x="${labelX}" y="${y - 6}" class="label">${text(elideMiddle(said, room))}</text></g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="sequence diagram of the run" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>
${heads.join('\n')}
${arrows.join('\n')}
</svg>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de}h3{font-size:15px;margin:18px 0 6px}
h3 span{font-weight:normal;color:#57606a;font-size:13px;margin-left:8px}
.verdict{font-weight:700;font-size:16px;margin:4px 0}.verdict span{font-weight:normal;color:#57606a;margin-left:8px}
.verdict.pass{color:#1a7f37}.verdict.fail,.verdict.error{color:#cf222e}.run-error{color:#cf222e}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:12px 0}dt{color:#57606a}dd{margin:0;word-break:break-all}
table{border-collapse:collapse;width:100%}td{border-top:1px solid #eaeef2;padding:4px 8px;vertical-align:top}
td.status{white-space:nowrap;width:7em}td.id{font-family:ui-monospace,monospace;white-space:nowrap;width:1%}td.ms{text-align:right}
tr.fail td.status,li.fail a{color:#cf222e}tr.warn td.status,li.warn a{color:#9a6700}tr.pass td.status{color:#1a7f37}tr.skip td.status{color:#57606a}
.hint,.spec{color:#57606a;font-size:13px}.legend{color:#57606a;font-size:13px;max-width:70em}
#flow{overflow-x:auto}pre{background:#f6f8fa;padding:8px;overflow-x:auto;font-size:13px}
table.grid{width:auto}th{text-align:left;color:#57606a;font-weight:normal;padding:4px 8px}
svg{font:12px ui-monospace,monospace;display:block}
.lane rect{fill:#f6f8fa;stroke:#8c959f}.lane-title{text-anchor:middle;font-weight:700}.lane-sub{text-anchor:middle;fill:#57606a;font-size:11px}
.lifeline{stroke:#d0d7de;stroke-dasharray:2 3}
.arrow line{stroke:#0969da;stroke-width:1.5}.arrow .label{fill:#1b1f24}.arrow .time{fill:#57606a;font-size:11px}
.arrow.inferred line{stroke-dasharray:6 4;stroke:#8250df}.arrow.refused line{stroke:#bc4c00}.arrow.refused .label{fill:#953800}.arrow.unanswered line{stroke:#cf222e}.arrow.unanswered .label{fill:#cf222e}
marker path{fill:#57606a}
`;
