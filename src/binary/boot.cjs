'use strict';
// The single-file binary's SEA main script. It compiles the CLI (the asset
// kickstart.cjs, from src/binary/main.ts) with the asset kickstart.cjs.cache:
// a V8 code cache written after a real run when the binary was built, so it
// holds the functions a run compiles lazily too (the SEA's own useCodeCache
// holds only what compiling the script compiles). Without it, the CLI is
// compiled from source: slower, not wrong.
//
// KICKSTART_CODE_CACHE_OUT=path (scripts/build-binary.mjs, first pass) writes
// that cache after the run.
const { writeFileSync } = require('node:fs');
const { load, optionalAsset } = require('./asset-module.cjs');

const cli = load('kickstart.cjs', optionalAsset('kickstart.cjs.cache'));
cli.exports.run(process.argv.slice(2)).then((code) => {
  const out = process.env.KICKSTART_CODE_CACHE_OUT;
  if (out) writeFileSync(out, cli.script.createCachedData());
  process.exit(code);
});
