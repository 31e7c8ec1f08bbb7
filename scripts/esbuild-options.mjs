// esbuild options shared by scripts/build.mjs (the npm package) and
// scripts/build-binary.mjs (the single-file binary).
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

export const version = pkg.version;

export const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  define: { __KICKSTART_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
  legalComments: 'none',
};

// CommonJS output has no import.meta: give the sources a file URL of the bundle.
export const cjs = {
  ...common,
  format: 'cjs',
  // require() instead of import(): the CLI runs inside vm.Script (bin/kickstart.cjs).
  supported: { 'dynamic-import': false },
  define: { ...common.define, 'import.meta.url': '__ks_import_meta_url' },
  banner: { js: "const __ks_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
};
