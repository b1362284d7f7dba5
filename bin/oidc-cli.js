#!/usr/bin/env node
// Tiny launcher: all behaviour lives in the built entry point (src/main.ts). It is CommonJS (see
// bin/package.json) because an ES module entry costs Node its ESM loader before anything runs.
//
// `npm run build` also bundles the entry point into one file (scripts/bundle.ts): one file starts
// faster than many modules. The script hot path (`--version`, `decode TOKEN`, `token`) first tries a
// small bundle of its own (src/hot.ts), which answers only what it can answer exactly as the whole CLI
// would and otherwise hands over to it, having written nothing. Node 22.1+ caches the compiled bundles
// itself (module.enableCompileCache); on Node 20 the V8 code caches made at build time are handed to
// vm.Script (V8 ignores one that does not fit this Node). Without a bundle, or when tsc ran after it,
// the modules in dist/src/ run.
'use strict';
const { readFileSync, statSync, writeFileSync } = require('node:fs');
const { createRequire, enableCompileCache } = require('node:module');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const bundleDir = join(__dirname, '..', 'dist', 'src', 'bundle');
const bundle = join(bundleDir, 'oidc-cli.cjs');
const hotBundle = join(bundleDir, 'hot.cjs');
const modules = join(__dirname, '..', 'dist', 'src', 'main.js');
const HOT_COMMANDS = new Set(['--version', '-V', 'decode', 'token']);

function bundleIsCurrent() {
  try {
    return statSync(bundle).mtimeMs >= statSync(modules).mtimeMs;
  } catch {
    return false;
  }
}

/** Runs a bundle as CommonJS, as require() would, but with V8's code cache. */
function loadWithCodeCache(file) {
  const { Script } = require('node:vm');
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.v8cache`);
  } catch {
    // no cache: V8 compiles as usual
  }
  const source = readFileSync(file, 'utf8');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, bundleDir);
  // Set by the build only (scripts/bundle.ts): the cache then holds every function the run compiled.
  if (process.env.OIDC_CLI_WRITE_CODE_CACHE) process.once('exit', () => writeFileSync(`${file}.v8cache`, script.createCachedData()));
  return module.exports;
}

function loadBundle(file) {
  if (!enableCompileCache) return loadWithCodeCache(file);
  enableCompileCache();
  return require(file);
}

async function load() {
  if (!bundleIsCurrent()) return import(pathToFileURL(modules).href);
  if (HOT_COMMANDS.has(process.argv[2])) {
    let hot;
    try {
      hot = loadBundle(hotBundle);
    } catch {
      // an older build without the hot bundle: the whole CLI answers
    }
    // It exits when it answers; otherwise it has written nothing.
    if (hot && (await hot.hotPath(process.argv))) return undefined;
  }
  return loadBundle(bundle);
}

load().then((entry) => entry?.main(process.argv));
