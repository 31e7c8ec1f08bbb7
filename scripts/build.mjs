// Builds what `npm install` must leave ready in dist/:
// - cli.cjs: the CLI as one CommonJS file (one module to load on the common
//   path; CommonJS loads faster than ESM on Node 20), with pino inlined but
//   initialised only when something is logged;
// - transfer.cjs: the transfer step, loaded only with --staging;
// - s3-sdk.cjs: the S3 SDK, loaded by the transfer step for s3:// only;
// - ssh2.cjs: ssh2, loaded by the transfer step for sftp:// only;
// - show.cjs: `kickstart show` and the YAML parser, loaded only by it;
// - index.js (+ chunks): the library, ESM;
// - types/: declarations for the library.
// The native addon is built before this, by node-gyp.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cjs, cliPlugins, common } from './esbuild-options.mjs';
import { pidusageWithoutGetconf } from './esbuild-pidusage.mjs';
import { ssh2Apart, ssh2WithoutNative } from './esbuild-ssh2.mjs';

// Files are overwritten in place, not the folder removed first: a test run or a
// second build may be using dist/ at that moment. Only hashed chunks go stale.
rmSync(new URL('../dist/chunks', import.meta.url), { recursive: true, force: true });

/** Keeps the transfer step out of the CLI file: it is required from ./transfer.cjs on demand. */
const transferApart = {
  name: 'transfer-apart',
  setup(b) {
    b.onResolve({ filter: /\/transfer\/index\.js$/ }, () => ({ path: './transfer.cjs', external: true }));
  },
};

/** Keeps `kickstart show` (and the YAML parser it needs) out of the CLI file: ./show.cjs. */
const showApart = {
  name: 'show-apart',
  setup(b) {
    b.onResolve({ filter: /\/show\/index\.js$/ }, () => ({ path: './show.cjs', external: true }));
  },
};

/** Keeps the batch systems' look-ups (and execa) out of the CLI file: ./deadlines.cjs, for --max-walltime auto. */
const deadlinesApart = {
  name: 'deadlines-apart',
  setup(b) {
    b.onResolve({ filter: /\/deadline-sources\/index\.js$/ }, () => ({ path: './deadlines.cjs', external: true }));
  },
};

/** Keeps the S3 SDK out of transfer.cjs: ./s3-sdk.cjs is required on the first s3:// call only. */
const sdkApart = {
  name: 'sdk-apart',
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\/client-s3$/ }, () => ({ path: './s3-sdk.cjs', external: true }));
  },
};

// Minified (names kept, for stack traces and error names): kickstart reads and
// hashes this file before every job, and the code cache shrinks with it.
await build({
  ...cjs,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  plugins: [transferApart, showApart, deadlinesApart, ...cliPlugins()],
  minify: true,
  keepNames: true,
});
await build({ ...cjs, entryPoints: { show: 'src/show/index.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' } });
await build({ ...cjs, entryPoints: { deadlines: 'src/supervise/deadline-sources/index.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' } });
await build({ ...cjs, entryPoints: { transfer: 'src/transfer/index.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' }, plugins: [sdkApart, ssh2Apart] });
await build({ ...cjs, entryPoints: { 's3-sdk': 'src/staging/s3-sdk.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' } });
await build({ ...cjs, entryPoints: { ssh2: 'src/staging/ssh2-lib.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' }, plugins: [ssh2WithoutNative] });
await build({
  ...common,
  entryPoints: { index: 'src/index.ts' },
  outdir: 'dist',
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [pidusageWithoutGetconf(), ssh2WithoutNative],
  // Bundled CommonJS dependencies call require(): give them one.
  banner: { js: "import { createRequire as __ksCreateRequire } from 'node:module'; const require = __ksCreateRequire(import.meta.url);" },
});

// Warm the CLI's V8 code cache with a real run (see bin/kickstart.cjs), with
// the machine block, as most runs have it: its functions are cached too.
execFileSync(process.execPath, ['bin/kickstart.cjs', '-l', '/dev/null', '--', 'true'], {
  stdio: 'inherit',
  env: { ...process.env, KICKSTART_WRITE_CODE_CACHE: '1' },
});

if (!process.argv.includes('--no-types')) {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
