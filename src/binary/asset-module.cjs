'use strict';
// Compiles and runs a CommonJS bundle kept as a SEA asset. The binary's CLI
// is one (src/binary/boot.cjs loads it with a V8 code cache made after a real
// run at build time, as bin/kickstart.cjs does); parts that only some runs
// need (the transfer step; the S3 SDK, 1.4 MB, which it loads for s3:// only) are others, compiled on
// first use as the npm package requires them from dist/ on demand: compiling
// them at every start would cost every job ~30 ms of CPU.
// scripts/build-binary.mjs puts `require(<this>).load('<name>.cjs').exports`
// wherever the CLI imports such a part; esbuild wraps that, so it runs on
// first import.
const { getRawAsset } = require('node:sea');
const { compile } = require('../../bin/compile-cjs.cjs');

/** Returns the bundle's exports, and the compiled script (for its code cache). */
exports.load = function load(name, cachedData) {
  const source = Buffer.from(getRawAsset(name)).toString('utf8');
  // Required through the file system, not the SEA's builtins-only require: the S3 SDK
  // probes for optional packages (@aws-sdk/signature-v4-crt) and copes with their absence.
  return compile(source, process.execPath, cachedData, `${process.execPath}#${name}`);
};

/** The asset's bytes, or undefined when the binary has no such asset. */
exports.optionalAsset = function optionalAsset(name) {
  try {
    return Buffer.from(getRawAsset(name));
  } catch {
    return undefined;
  }
};
