#!/usr/bin/env node
'use strict';
// The npm bin. Everything lives in dist/cli.cjs, built by `npm install`
// (scripts/build.mjs). It is compiled with a V8 code cache kept beside it
// (made at build time, refreshed when V8 rejects it), which saves most of the
// bundle's compile time on every start: kickstart runs before every job.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { compile } = require('./compile-cjs.cjs');

const file = join(__dirname, '..', 'dist', 'cli.cjs');
const source = readFileSync(file, 'utf8');
// V8 takes cached data for any source of the same length, so the cache is
// named after the build id that scripts/build.mjs stamps at the bundle's end:
// a bundle that replaced another (an upgrade, a copy) never runs its code.
const id = /\/\/# kickstart-build=([0-9a-f]+)\s*$/.exec(source.slice(-64));
const cacheFile = id ? `${file}.${id[1]}.cache` : `${file}.cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  /* no cache yet: compile from source */
}
const { exports: cli, script } = compile(source, file, cachedData);

cli.main(process.argv.slice(2)).then((code) => {
  if (cachedData === undefined || script.cachedDataRejected || process.env.KICKSTART_WRITE_CODE_CACHE) {
    try {
      // After a run, so the functions it compiled lazily are in the cache too.
      writeFileSync(cacheFile, script.createCachedData());
    } catch {
      /* read-only install: start-up is just slower */
    }
  }
  process.exit(code);
});
