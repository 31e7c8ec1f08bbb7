// Builds what `npm install` must leave ready: the bundled CLI and library in
// dist/ (one file on the common path, so start-up loads little), and type
// declarations. The native addon is built before this by node-gyp.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  define: { __KICKSTART_VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS dependencies (pino, commander) call require(): give them one.
  banner: { js: "import { createRequire as __ksCreateRequire } from 'node:module'; const require = __ksCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
});

if (!process.argv.includes('--no-types')) {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
