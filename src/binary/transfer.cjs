'use strict';
// The transfer step inside the single-file binary. scripts/build-binary.mjs
// bundles this file wherever the CLI imports src/transfer/index.ts, and keeps
// the transfer step itself (1.6 MB with the S3 SDK) as the SEA asset
// `transfer.cjs`: compiling it at every start would cost every job ~30 ms of
// CPU, and only runs with --staging and the subcommands need it. esbuild wraps
// this module, so it runs on the first import only.
const Module = require('node:module');
const { dirname } = require('node:path');
const { getRawAsset } = require('node:sea');
const { Script } = require('node:vm');

const file = process.execPath;
const source = Buffer.from(getRawAsset('transfer.cjs')).toString('utf8');
const wrapper = new Script(Module.wrap(source), { filename: `${file}#transfer.cjs` }).runInThisContext();
const loaded = { exports: {} };
// A require of the file system, not the SEA's builtins-only one: the bundle
// probes for optional packages (@aws-sdk/signature-v4-crt) and copes with their absence.
wrapper.call(loaded.exports, loaded.exports, Module.createRequire(file), loaded, file, dirname(file));
module.exports = loaded.exports;
