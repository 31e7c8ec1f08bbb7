'use strict';
// Compiles and runs a CommonJS bundle from its source, with a V8 code cache
// when there is one: the one loader of the npm bin (bin/kickstart.cjs, the
// bundle dist/cli.cjs) and of the binary's assets (src/binary/asset-module.cjs).
// Returns the bundle's exports, and the script for createCachedData() and
// cachedDataRejected.
const Module = require('node:module');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

exports.compile = function compile(source, file, cachedData, filename = file) {
  const script = new Script(Module.wrap(source), { filename, cachedData });
  const module_ = { exports: {}, filename: file };
  script.runInThisContext().call(module_.exports, module_.exports, Module.createRequire(file), module_, file, dirname(file));
  return { exports: module_.exports, script };
};
