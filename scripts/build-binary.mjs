// Builds dist/kickstart-<platform>-<arch>: kickstart as one executable file
// for compute nodes without Node.js (a Node single executable application).
//   1. esbuild bundles the CLI (src/binary/main.ts) into one CommonJS file,
//      the parts the npm package keeps apart (transfer step, `show`) into others,
//      and the SEA main script src/binary/boot.cjs that loads them;
//   2. `node --experimental-sea-config` makes the blob: boot.cjs, and as
//      assets the CLI, the parts, the native addon and ks-exec (unpacked into
//      a private cache directory at first start: dlopen and exec need files);
//   3. a copy of this node, stripped of its symbols when `strip` is there
//      (binutils), gets the blob injected with postject (a devDependency);
//   4. that binary runs once to write the CLI's V8 code cache, and 2-3 are
//      done again with the cache as one more asset (src/binary/boot.cjs).
// The native parts must be built first (`npm install` runs node-gyp).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cjs, cliPlugins, version } from './esbuild-options.mjs';
import { ALL_PARTS, PARTS } from './bundle-parts.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'dist', 'sea');
const binaryPath = join(root, 'dist', `kickstart-${process.platform}-${process.arch}`);
const addon = join(root, 'build', 'Release', 'kickstart.node');
const helper = join(root, 'build', 'Release', 'ks-exec');

for (const f of [addon, helper]) {
  if (!existsSync(f)) {
    console.error(`build-binary: ${f} is missing: run \`npm install\` first (it builds the native parts with node-gyp)`);
    process.exit(1);
  }
}
mkdirSync(work, { recursive: true });

// A new build of the native parts gets a new unpack directory on the nodes.
const hash = createHash('sha256').update(readFileSync(addon)).update(readFileSync(helper)).digest('hex').slice(0, 16);
// Parts kept out of the CLI file: the same list as scripts/build.mjs's (bundle-parts.mjs).
const apart = PARTS;
const assetModule = join(root, 'src', 'binary', 'asset-module.cjs');
/** Where a bundle imports a part kept apart: a module that compiles its asset on first use. */
const fromAssets = (parts) => ({
  name: 'apart-from-assets',
  setup(b) {
    for (const part of parts) b.onResolve({ filter: part.filter }, () => ({ path: part.name, namespace: 'sea-asset' }));
    b.onLoad({ filter: /.*/, namespace: 'sea-asset' }, (a) => ({
      contents: `module.exports = require(${JSON.stringify(assetModule)}).load(${JSON.stringify(`${a.path}.cjs`)}).exports;`,
      loader: 'js',
      resolveDir: root,
    }));
  },
});
const assets = { 'kickstart.node': addon, 'ks-exec': helper, 'kickstart.cjs': join(work, 'kickstart.cjs') };
await build({
  ...cjs,
  entryPoints: [join(root, 'src', 'binary', 'main.ts')],
  outfile: assets['kickstart.cjs'],
  define: { ...cjs.define, __KICKSTART_NATIVE_KEY__: JSON.stringify(`${version}-${hash}`) },
  plugins: [fromAssets(apart), ...cliPlugins()],
});
for (const part of ALL_PARTS) {
  assets[`${part.name}.cjs`] = join(work, `${part.name}.cjs`);
  const plugins = [...(part.apart.length ? [fromAssets(part.apart)] : []), ...(part.plugins ?? [])];
  await build({ ...cjs, entryPoints: [join(root, part.entry)], outfile: assets[`${part.name}.cjs`], plugins });
}
const boot = join(work, 'boot.cjs');
await build({ ...cjs, entryPoints: [join(root, 'src', 'binary', 'boot.cjs')], outfile: boot });

/** Runs a tool whose chatter (postject warns about node's many ELF notes) matters only when it fails. */
function quiet(cmd, args, env) {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env, encoding: 'utf8' });
  } catch (e) {
    if (e.stderr?.length) process.stderr.write(e.stderr);
    throw e;
  }
}

// One stripped copy of this node serves both passes.
const stripped = join(work, 'node');
copyFileSync(process.execPath, stripped);
chmodSync(stripped, 0o755);
try {
  quiet('strip', ['--strip-all', stripped]);
} catch (e) {
  console.error(`build-binary: not stripped (${e.code === 'ENOENT' ? 'no strip: install binutils' : e.message}); the binary works, only larger`);
}

/** A copy of the stripped node with a blob of boot.cjs and `withAssets` injected. */
function makeBinary(out, withAssets) {
  const blob = join(work, 'sea-prep.blob');
  const config = join(work, 'sea-config.json');
  const sea = {
    main: boot,
    output: blob,
    // Records go to stdout and jobs' stderr is the user's: no warning line.
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    assets: withAssets,
  };
  writeFileSync(config, JSON.stringify(sea, null, 2));
  quiet(process.execPath, ['--experimental-sea-config', config]);
  rmSync(out, { force: true });
  copyFileSync(stripped, out);
  quiet(process.execPath, [
    createRequire(import.meta.url).resolve('postject/dist/cli.js'),
    out, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  ]);
}

// First pass: run it once (as build.mjs does for the npm bin) to write the
// CLI's code cache; second pass: the same binary with that cache inside.
const tmp = `${binaryPath}.tmp`;
const scratch = mkdtempSync(join(tmpdir(), 'kickstart-build-'));
try {
  makeBinary(tmp, assets);
  const cache = join(work, 'kickstart.cjs.cache');
  quiet(tmp, ['-H', '-l', '/dev/null', '--', 'true'], { PATH: '/usr/bin:/bin', HOME: scratch, KICKSTART_CODE_CACHE_OUT: cache });
  // Built beside the target and renamed over it: a test may be running the old one.
  makeBinary(tmp, { ...assets, 'kickstart.cjs.cache': cache });
  // It must run: a broken strip or injection is caught here, not on a node.
  const out = quiet(tmp, ['--version'], { PATH: '/usr/bin:/bin', HOME: scratch }).trim();
  if (!out.includes(version)) throw new Error(`build-binary: the new binary says ${JSON.stringify(out)} to --version, not ${version}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(stripped, { force: true });
}
renameSync(tmp, binaryPath);
console.error(`build-binary: ${binaryPath} (${(statSync(binaryPath).size / 2 ** 20).toFixed(1)} MiB)`);
