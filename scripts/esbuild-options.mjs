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
  return [pidusageWithoutGetconf(), lazyChildProcess, stagingAdaptersApart];
}

/**
 * The CLI reads the staging kinds (src/staging/kinds/*) for its hints and
 * site-option flags, but opens sites only inside the transfer part, which
 * has its own copy of the registry. So the adapters a kind loads on open()
 * (`import('../file.js')`) stay out of the CLI file: there they are a module
 * that says so, should anything ever call it.
 */
export const stagingAdaptersApart = {
  name: 'staging-adapters-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/[^/]+\.js$/ }, (a) =>
      a.kind === 'dynamic-import' && /[\\/]staging[\\/]kinds[\\/][^\\/]+\.ts$/.test(a.importer) ? { path: a.path, namespace: 'staging-adapter' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'staging-adapter' }, (a) => ({
      contents: `throw new Error(${JSON.stringify(`kickstart: staging adapter ${a.path} is opened by the transfer part only`)});`,
      loader: 'js',
    }));
  },
};

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
