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
import { appendFileSync, readdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { ALL_PARTS, PARTS, checkApart, partsApart } from './bundle-parts.mjs';
import { cjs, cliPlugins, common } from './esbuild-options.mjs';
import { pidusageWithoutGetconf } from './esbuild-pidusage.mjs';
import { ssh2WithoutNative } from './esbuild-ssh2.mjs';

// Files are overwritten in place, not the folder removed first: a test run or a
// second build may be using dist/ at that moment. Only hashed chunks go stale.
rmSync(new URL('../dist/chunks', import.meta.url), { recursive: true, force: true });

// The parts kept apart (transfer, show, deadlines; the S3 SDK and ssh2 inside
// transfer) are declared once in bundle-parts.mjs, for this build and the binary's.

// Minified (names kept, for stack traces and error names): kickstart reads and
// hashes this file before every job, and the code cache shrinks with it.
const cli = await build({
  ...cjs,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  plugins: [partsApart(PARTS), ...cliPlugins()],
  minify: true,
  keepNames: true,
  metafile: true,
});
checkApart('dist/cli.cjs', cli.metafile, ALL_PARTS);
for (const part of ALL_PARTS) {
  const plugins = [...(part.apart.length ? [partsApart(part.apart)] : []), ...(part.plugins ?? [])];
  const built = await build({ ...cjs, entryPoints: { [part.name]: part.entry }, outdir: 'dist', outExtension: { '.js': '.cjs' }, plugins, metafile: true });
  if (part.apart.length) checkApart(`dist/${part.name}.cjs`, built.metafile, part.apart);
}
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
// The old cache goes first: V8 accepts cached data for a source of the same
// length, and a rebuild that only renames minified identifiers keeps the
// length, so the warm run would run (and re-save) the previous build's code.
// Each build also stamps an id of its own, which names its cache.
for (const n of readdirSync('dist')) if (/^cli\.cjs(\.[0-9a-f]+)?\.cache$/.test(n)) rmSync(`dist/${n}`, { force: true });
appendFileSync('dist/cli.cjs', `\n//# kickstart-build=${randomBytes(8).toString('hex')}\n`);
execFileSync(process.execPath, ['bin/kickstart.cjs', '-l', '/dev/null', '--', 'true'], {
  stdio: 'inherit',
  env: { ...process.env, KICKSTART_WRITE_CODE_CACHE: '1' },
});

if (!process.argv.includes('--no-types')) {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
