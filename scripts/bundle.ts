/**
 * Second half of `npm run build` (after tsc): bundles dist/src/main.js and what it imports into one
 * CommonJS file, dist/src/bundle/oidc-cli.cjs, which bin/oidc-cli.js loads. One file to read and
 * compile starts faster than ~80 ES modules (issue 7: cold start near bare Node). Then a V8 code
 * cache is made from a real run (`decode <token>`), so Node 20 need not compile it again either.
 *
 * Only the packages on the start-up path are bundled; the rest (undici, ora, open...) stay in
 * node_modules and load when a command needs them.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT_DIR = `${ROOT}dist/src/bundle`;
const OUT_FILE = `${OUT_DIR}/oidc-cli.cjs`;
const HOT_FILE = `${OUT_DIR}/hot.cjs`;
const BUNDLED_PACKAGES = new Set(['commander', 'chalk', 'jose']);

/**
 * Packages left out of the bundle are `require`d when first imported. ESM-only ones (ora, open) work
 * through require(esm) (Node 20.19+), and re-exporting them from a module outside this package's
 * "type": "module" scope makes esbuild honour their __esModule marker, so `default` is their default
 * export. (A dynamic import() inside the vm-compiled bundle would print an ExperimentalWarning.)
 */
const externalPackages = (bundled: ReadonlySet<string>): Plugin => ({
  name: 'external-packages',
  setup(bundler) {
    bundler.onResolve({ filter: /^[^./#]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0]!;
      if (isBuiltin(args.path) || bundled.has(name)) return undefined;
      return args.namespace === 'external' ? { path: args.path, external: true } : { path: args.path, namespace: 'external' };
    });
    bundler.onLoad({ filter: /.*/, namespace: 'external' }, (args) => {
      const specifier = JSON.stringify(args.path);
      return { contents: `export * from ${specifier};\nexport { default } from ${specifier};\n`, loader: 'js' };
    });
  },
});

/**
 * commander requires node:child_process at load, for executable subcommands, which oidc-cli has none
 * of: make that require lazy, so start-up does not pay for child_process (and net, dgram) up front.
 * If a commander release words the line differently, the bundle simply keeps the eager require.
 */
const lazyCommanderChildProcess: Plugin = {
  name: 'lazy-commander-child-process',
  setup(bundler) {
    bundler.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      const lazy = "const childProcess = { get spawn() { return require('node:child_process').spawn; } };";
      return { contents: source.replace(eager, lazy), loader: 'js' };
    });
  },
};

/**
 * chalk's own colour detection (its vendored supports-color) loads node:tty and node:os and asks the
 * terminal at load time, for chalk's default instance; oidc-cli never uses that instance, only
 * `new Chalk({ level })` with its own decision (src/ui/color.ts). The bundles get a detection that finds
 * no colour, so start-up does not pay for it.
 */
const noChalkDetection: Plugin = {
  name: 'no-chalk-detection',
  setup(bundler) {
    bundler.onResolve({ filter: /^#supports-color$/ }, () => ({ path: 'supports-color', namespace: 'no-chalk-detection' }));
    bundler.onLoad({ filter: /.*/, namespace: 'no-chalk-detection' }, () => ({
      contents: 'export function createSupportsColor() { return false; }\nexport default { stdout: false, stderr: false };\n',
      loader: 'js',
    }));
  },
};

async function bundle(): Promise<void> {
  const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
  // A cache must never outlive the code it was made from.
  for (const file of [OUT_FILE, HOT_FILE]) rmSync(`${file}.v8cache`, { force: true });
  const common: BuildOptions = {
    outdir: OUT_DIR,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // import() becomes a lazy require, so commands, undici and jose load only when used.
    supported: { 'dynamic-import': false },
    define: { OIDC_CLI_VERSION: JSON.stringify(version), OIDC_CLI_DECODE_WORKER: JSON.stringify('./decode-worker.cjs'), 'import.meta.url': 'import_meta.url' },
    inject: [fileURLToPath(new URL('./bundle-import-meta.js', import.meta.url))],
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'eof',
    logLevel: 'warning',
  };
  // The whole CLI, and batch decode's worker threads (src/commands/decode-pool.ts).
  await build({ ...common, entryPoints: { 'oidc-cli': `${ROOT}dist/src/main.js`, 'decode-worker': `${ROOT}dist/src/commands/decode-worker.js` }, plugins: [externalPackages(BUNDLED_PACKAGES), lazyCommanderChildProcess, noChalkDetection] });
  // The script hot path (src/hot.ts: --version, decode TOKEN, a cached token): no commander, and jose
  // left in node_modules, since a token decoded without keys never reaches it. Smaller is faster to load.
  await build({ ...common, entryPoints: { hot: `${ROOT}dist/src/hot.js` }, plugins: [externalPackages(new Set(['chalk'])), noChalkDetection] });
}

/**
 * Runs each bundle once, as a user would, and keeps V8's compiled code for the next starts: `decode TOKEN`
 * is answered by the hot bundle, `decode --json TOKEN` and `discover` (against a small issuer on
 * loopback, so the HTTP client and the metadata judges are compiled too) by the whole CLI.
 */
async function makeCodeCaches(): Promise<void> {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ sub: 'warm-up', iat: 1, exp: 2 })).toString('base64url');
  const token = `${header}.${payload}.c2lnbmF0dXJl`;
  const issuer = createServer((request, response) => {
    const base = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
    const body = request.url === '/.well-known/openid-configuration' ? { issuer: base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`, jwks_uri: `${base}/jwks`, response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] } : { keys: [] };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
  // Without OIDC_ISSUER, which would make decode fetch keys.
  const { OIDC_ISSUER: _issuer, ...env } = process.env;
  try {
    const runs = [['decode', token], ['decode', '--json', token], ['discover', '--issuer', `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`]];
    for (const args of runs) {
      const run = spawn(process.execPath, [`${ROOT}bin/oidc-cli.js`, ...args], { env: { ...env, OIDC_CLI_WRITE_CODE_CACHE: '1' }, stdio: 'ignore' });
      await new Promise<void>((resolve, reject) => run.once('error', reject).once('close', () => resolve()));
    }
  } finally {
    issuer.close();
  }
}

await bundle();
await makeCodeCaches();
