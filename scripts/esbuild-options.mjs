// esbuild options shared by scripts/build.mjs (the npm package) and
// scripts/build-binary.mjs (the single-file binary).
import { readFileSync } from 'node:fs';
import { lazyChildProcess } from './esbuild-lazy.mjs';
import { pidusageWithoutGetconf } from './esbuild-pidusage.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

export const version = pkg.version;

/**
 * The plugins that shape the CLI bundle, the same for dist/cli.cjs and the
 * binary so both are the same CLI: pidusage without its getconf children,
 * child_process loaded only when something really spawns.
 */
export function cliPlugins() {
  return [pidusageWithoutGetconf(), lazyChildProcess];
}

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
