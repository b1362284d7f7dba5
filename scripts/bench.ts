/**
 * `npm run bench`: the performance targets of issue 7, measured side by side on this machine.
 * Builds nothing itself (the npm script builds first); generates its own keys and tokens in a temp
 * dir; alternates A and B runs and compares medians; exits 1 when a target is missed.
 *
 * Sizes can be changed for exploration: BENCH_TOKENS (throughput, default 100000), BENCH_ROUNDS
 * (throughput rounds, default 3), BENCH_STARTS (cold-start rounds, default 25), BENCH_MEMORY_SMALL
 * and BENCH_MEMORY_LARGE (default 10000 and 300000), BENCH_MEMORY_ROUNDS (default 3), BENCH_MASK_ROUNDS
 * (default 5).
 */
import { cpSync, createReadStream, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nonBlankLines } from '../src/util/lines.js';
import { makeKeys, writeTokenFile } from './bench-fixtures.js';
import { measureMasking } from './bench-mask.js';
import { alternate, median, peakRss, type Run, type Variant } from './bench-measure.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BASELINE = fileURLToPath(new URL('./bench-baseline.js', import.meta.url));
const RSS_PRELOAD = pathToFileURL(fileURLToPath(new URL('./bench-rss.js', import.meta.url))).href;

const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const TOKENS = setting('BENCH_TOKENS', 100_000);
const ROUNDS = setting('BENCH_ROUNDS', 3);
const STARTS = setting('BENCH_STARTS', 25);
const MEMORY_SMALL = setting('BENCH_MEMORY_SMALL', 10_000);
const MEMORY_LARGE = setting('BENCH_MEMORY_LARGE', 300_000);

const COLD_START_MAX_RATIO = 1.3;
const THROUGHPUT_MIN_RATIO = 0.85;
/** "Flat" memory: the large input may use at most this much more peak RSS than the small one. */
const MEMORY_MAX_GROWTH_MB = 16;
const MEMORY_ROUNDS = setting('BENCH_MEMORY_ROUNDS', 3);
/** Masking 1 MiB with 100 times the secrets may cost at most this much more (linear, not secrets × text). */
const MASK_MAX_RATIO = 3;
const MASK_ROUNDS = setting('BENCH_MASK_ROUNDS', 5);

interface Row {
  target: string;
  a: string;
  b: string;
  ratio: string;
  goal: string;
  met: boolean;
}

const rows: Row[] = [];
const ms = (value: number) => `${value.toFixed(1)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const startedAt = Date.now();
const log = (line: string) => process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
const node = (...args: string[]): string[] => [process.execPath, ...args];
let BIN = join(ROOT, 'bin', 'oidc-cli.js');

/**
 * Measures a copy of the build just made (bin, dist/src, package.json), so a `tsc` run in the working
 * tree meanwhile cannot swap the bundle for the unbundled fallback halfway through the bench.
 */
function snapshotBuild(dir: string): void {
  const app = join(dir, 'app');
  for (const path of ['bin', 'dist/src', 'package.json']) cpSync(join(ROOT, path), join(app, path), { recursive: true, preserveTimestamps: true });
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
  const bundle = statSync(join(app, 'dist/src/bundle/oidc-cli.cjs'), { throwIfNoEntry: false });
  if (!bundle || bundle.mtimeMs < statSync(join(app, 'dist/src/main.js')).mtimeMs) {
    throw new Error('dist/src/bundle/oidc-cli.cjs is missing or older than dist/src/main.js (tsc ran after the bundle): run `npm run bench` again');
  }
  BIN = join(app, 'bin', 'oidc-cli.js');
}

async function coldStart(token: string): Promise<void> {
  log(`cold start: ${STARTS} rounds of node -e 0 / oidc-cli --version / oidc-cli decode <token>, alternating`);
  const variants: Variant[] = [
    { label: 'node -e 0', argv: node('-e', '0') },
    { label: 'oidc-cli --version', argv: node(BIN, '--version') },
    { label: 'oidc-cli decode <token>', argv: node(BIN, 'decode', token) },
  ];
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const check = (variant: Variant, run: Run) => {
    if (variant === variants[1] && run.stdout.trim() !== version) throw new Error(`--version printed ${JSON.stringify(run.stdout)}`);
    if (variant === variants[2] && !run.stdout.includes('Payload')) throw new Error(`decode printed no payload: ${run.stdout.slice(0, 200)}`);
  };
  const times = (await alternate(variants, STARTS, 3, check)).map(median);
  log(`  medians: ${variants.map((variant, i) => `${variant.label} ${ms(times[i]!)}`).join(', ')}`);
  const floor = times[0]!;
  for (const i of [1, 2]) {
    const ratio = times[i]! / floor;
    rows.push({ target: `cold start: ${variants[i]!.label}`, a: `node -e 0 ${ms(floor)}`, b: ms(times[i]!), ratio: `${ratio.toFixed(2)}x`, goal: `<= ${COLD_START_MAX_RATIO}x`, met: ratio <= COLD_START_MAX_RATIO });
  }
}

/** Every line of a decode --json run must say the token verified: speed without the work is no speed. */
async function checkAllVerified(file: string, expected: number): Promise<void> {
  let lines = 0;
  let verified = 0;
  for await (const line of nonBlankLines(createReadStream(file))) {
    lines += 1;
    if (line.line.includes('"ok":true') && line.line.includes('"verified":true')) verified += 1;
  }
  if (lines !== expected || verified !== expected) throw new Error(`decode printed ${lines} lines, ${verified} verified; expected ${expected}`);
}

async function throughput(dir: string, jwksFile: string, tokenFile: string): Promise<void> {
  log(`batch verification: ${ROUNDS} rounds of ${TOKENS} tokens, jose compactVerify loop vs oidc-cli decode --jwks --json -, alternating`);
  const out = join(dir, 'out.ndjson');
  const variants: Variant[] = [
    { label: 'jose compactVerify loop', argv: node(BASELINE, jwksFile, tokenFile) },
    { label: 'oidc-cli decode --jwks --json -', argv: node(BIN, 'decode', '--jwks', jwksFile, '--json', '-'), stdinFile: tokenFile, stdoutFile: out },
  ];
  const check = async (variant: Variant, run: Run) => {
    if (variant === variants[0] && run.stdout.trim() !== String(TOKENS)) throw new Error(`baseline verified ${run.stdout.trim()} of ${TOKENS}`);
    if (variant === variants[1]) await checkAllVerified(out, TOKENS);
  };
  const runs = await alternate(variants, ROUNDS, 0, check);
  log(`  runs: ${variants.map((variant, i) => `${variant.label} ${runs[i]!.map(ms).join(' / ')}`).join('; ')}`);
  const [a, b] = runs.map(median) as [number, number];
  const rate = (wall: number) => TOKENS / (wall / 1000);
  const ratio = rate(b) / rate(a);
  rows.push({
    target: `batch: ${TOKENS} RS256+ES256 tokens`,
    a: `jose loop ${Math.round(rate(a))}/s`,
    b: `${Math.round(rate(b))}/s`,
    ratio: `${ratio.toFixed(2)}x`,
    goal: `>= ${THROUGHPUT_MIN_RATIO}x`,
    met: ratio >= THROUGHPUT_MIN_RATIO,
  });
}

async function memory(dir: string, jwksFile: string, tokens: string[]): Promise<void> {
  log(`memory: peak RSS of oidc-cli decode --jwks --json - over ${MEMORY_SMALL} and ${MEMORY_LARGE} tokens`);
  const smallFile = join(dir, `memory-${MEMORY_SMALL}.txt`);
  const largeFile = join(dir, `memory-${MEMORY_LARGE}.txt`);
  await writeTokenFile(smallFile, tokens, MEMORY_SMALL);
  await writeTokenFile(largeFile, tokens, MEMORY_LARGE);
  // Output to /dev/null: exit code 0 already says every token verified (any failed check exits 1).
  const peak = (count: number, file: string) =>
    peakRss({ label: `decode ${count}`, argv: node(BIN, 'decode', '--jwks', jwksFile, '--json', '-'), stdinFile: file, stdoutFile: '/dev/null' }, RSS_PRELOAD, join(dir, 'rss'));
  // A single peak is noisy (when V8 happens to collect): alternate and compare medians, as for time.
  const smalls: number[] = [];
  const larges: number[] = [];
  for (let round = 0; round < MEMORY_ROUNDS; round++) {
    smalls.push(peak(MEMORY_SMALL, smallFile));
    larges.push(peak(MEMORY_LARGE, largeFile));
  }
  rmSync(smallFile);
  rmSync(largeFile);
  log(`  peaks: ${MEMORY_SMALL}: ${smalls.map(mb).join(' / ')}; ${MEMORY_LARGE}: ${larges.map(mb).join(' / ')}`);
  const small = median(smalls);
  const large = median(larges);
  const growth = large - small;
  rows.push({
    target: `memory: ${MEMORY_LARGE} vs ${MEMORY_SMALL} tokens`,
    a: `${MEMORY_SMALL}: ${mb(small)}`,
    b: `${MEMORY_LARGE}: ${mb(large)}`,
    ratio: `${growth >= 0 ? '+' : ''}${mb(growth)}`,
    goal: `<= +${MEMORY_MAX_GROWTH_MB} MB`,
    met: growth <= MEMORY_MAX_GROWTH_MB * 1024 * 1024,
  });
}

function masking(): void {
  log(`masking: ${MASK_ROUNDS} rounds of 1 MiB of trace text through the output gate, few secrets vs many, alternating`);
  const cost = measureMasking(MASK_ROUNDS);
  log(`  medians: ${cost.fewSecrets} secrets ${ms(cost.few)}, ${cost.manySecrets} secrets ${ms(cost.many)}`);
  const ratio = cost.many / cost.few;
  rows.push({ target: `masking: 1 MiB, ${cost.manySecrets} vs ${cost.fewSecrets} secrets`, a: `${cost.fewSecrets}: ${ms(cost.few)}`, b: `${cost.manySecrets}: ${ms(cost.many)}`, ratio: `${ratio.toFixed(2)}x`, goal: `<= ${MASK_MAX_RATIO}x`, met: ratio <= MASK_MAX_RATIO });
}

function printTable(): void {
  const header: Row = { target: 'target', a: 'A (median)', b: 'oidc-cli (median)', ratio: 'ratio', goal: 'goal', met: true };
  const cells = (row: Row) => [row.target, row.a, row.b, row.ratio, row.goal, row === header ? 'result' : row.met ? 'met' : 'MISSED'];
  const all = [header, ...rows].map(cells);
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  const lines = [line(all[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...all.slice(1).map(line)];
  process.stdout.write(`\n${lines.join('\n')}\n\nmachine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${process.platform}/${process.arch}\n`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'oidc-cli-bench-'));
  try {
    snapshotBuild(dir);
    log(`fixtures in ${dir}: an RS256 and an ES256 key, 2000 distinct tokens`);
    const { jwksFile, tokens } = makeKeys(dir, 2000);
    const tokenFile = join(dir, 'tokens.txt');
    await writeTokenFile(tokenFile, tokens, TOKENS);
    await coldStart(tokens[0]!);
    await throughput(dir, jwksFile, tokenFile);
    await memory(dir, jwksFile, tokens);
    masking();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printTable();
  process.stdout.write(`(whole bench: ${((Date.now() - startedAt) / 1000).toFixed(0)} s)\n`);
  const missed = rows.filter((row) => !row.met);
  if (missed.length > 0) {
    process.stdout.write(`missed: ${missed.map((row) => row.target).join('; ')}\n`);
    process.exitCode = 1;
  }
}

await main();
