#!/usr/bin/env node
// Tiny launcher: all behaviour lives in the built entry point (src/main.ts). It is CommonJS (see
// bin/package.json) because an ES module entry costs Node its ESM loader before anything runs.
//
// `npm run build` also bundles the entry point into one file (scripts/bundle.ts): one file starts
// faster than many modules. Node 22.1+ caches the compiled bundle itself (module.enableCompileCache);
// on Node 20 the V8 code cache made at build time is handed to vm.Script (V8 ignores it when it does
// not fit this Node). Without a bundle, or when tsc ran after it, the modules in dist/src/ run.
'use strict';
const { readFileSync, statSync, writeFileSync } = require('node:fs');
const { createRequire, enableCompileCache } = require('node:module');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const bundleDir = join(__dirname, '..', 'dist', 'src', 'bundle');
const bundle = join(bundleDir, 'oidc-cli.cjs');
const modules = join(__dirname, '..', 'dist', 'src', 'main.js');

function bundleIsCurrent() {
  try {
    return statSync(bundle).mtimeMs >= statSync(modules).mtimeMs;
  } catch {
    return false;
  }
}

/** Runs the bundle as CommonJS, as require() would, but with V8's code cache. */
function loadWithCodeCache() {
  const { Script } = require('node:vm');
  let cachedData;
  try {
    cachedData = readFileSync(`${bundle}.v8cache`);
  } catch {
    // no cache: V8 compiles as usual
  }
  const source = readFileSync(bundle, 'utf8');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, bundleDir);
  // Set by the build only (scripts/bundle.ts): the cache then holds every function the run compiled.
  const writeTo = process.env.OIDC_CLI_WRITE_CODE_CACHE;
  if (writeTo) process.once('exit', () => writeFileSync(writeTo, script.createCachedData()));
  return module.exports;
}

async function load() {
  if (!bundleIsCurrent()) return import(pathToFileURL(modules).href);
  if (enableCompileCache) {
    enableCompileCache();
    return require(bundle);
  }
  return loadWithCodeCache();
}

load().then(({ main }) => main(process.argv));
