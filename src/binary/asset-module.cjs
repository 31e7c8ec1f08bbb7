'use strict';
// Parts of the CLI that only some runs need (the transfer step with the S3
// SDK: 1.6 MB) ride in the single-file binary as SEA assets and are compiled
// on first use, as the npm package requires them from dist/ on demand:
// compiling them at every start would cost every job ~30 ms of CPU.
// scripts/build-binary.mjs puts `require(<this>).load('<name>.cjs')` wherever
// the CLI imports such a part; esbuild wraps that, so it runs on first import.
const Module = require('node:module');
const { dirname } = require('node:path');
const { getRawAsset } = require('node:sea');
const { Script } = require('node:vm');

exports.load = function load(name) {
  const file = process.execPath;
  const source = Buffer.from(getRawAsset(name)).toString('utf8');
  const wrapper = new Script(Module.wrap(source), { filename: `${file}#${name}` }).runInThisContext();
  const loaded = { exports: {} };
  // A require of the file system, not the SEA's builtins-only one: the S3 SDK
  // probes for optional packages (@aws-sdk/signature-v4-crt) and copes with their absence.
  wrapper.call(loaded.exports, loaded.exports, Module.createRequire(file), loaded, file, dirname(file));
  return loaded.exports;
};
