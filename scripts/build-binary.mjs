// Builds dist/kickstart-<platform>-<arch>: kickstart as one executable file
// for compute nodes without Node.js (a Node single executable application).
//   1. esbuild bundles src/binary/main.ts and the CLI into one CommonJS file,
//      and the parts the npm package keeps apart (the transfer step) into
//      others, compiled on first use (src/binary/asset-module.cjs);
//   2. `node --experimental-sea-config` makes the blob: the CLI with a V8
//      code cache, and as assets the transfer step, the native addon and
//      ks-exec (the binary unpacks these two into a private cache directory
//      at first start: dlopen and exec need files);
//   3. a copy of this node, stripped of its symbols when `strip` is there
//      (binutils), gets the blob injected with postject (a devDependency).
// The native parts must be built first (`npm install` runs node-gyp).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cjs, version } from './esbuild-options.mjs';

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
const main = join(work, 'kickstart.cjs');
// Parts kept out of the CLI file, as scripts/build.mjs keeps them out of dist/cli.cjs.
const apart = [{ name: 'transfer', entry: 'src/transfer/index.ts', filter: /\/transfer\/index\.js$/ }];
const assetModule = join(root, 'src', 'binary', 'asset-module.cjs');
/** Where the CLI imports a part kept apart: a module that compiles its asset on first use. */
const fromAssets = {
  name: 'apart-from-assets',
  setup(b) {
    for (const part of apart) b.onResolve({ filter: part.filter }, () => ({ path: part.name, namespace: 'sea-asset' }));
    b.onLoad({ filter: /.*/, namespace: 'sea-asset' }, (a) => ({
      contents: `module.exports = require(${JSON.stringify(assetModule)}).load(${JSON.stringify(`${a.path}.cjs`)});`,
      loader: 'js',
      resolveDir: root,
    }));
  },
};
await build({
  ...cjs,
  entryPoints: [join(root, 'src', 'binary', 'main.ts')],
  outfile: main,
  define: { ...cjs.define, __KICKSTART_NATIVE_KEY__: JSON.stringify(`${version}-${hash}`) },
  plugins: [fromAssets],
});
const assets = { 'kickstart.node': addon, 'ks-exec': helper };
for (const part of apart) {
  assets[`${part.name}.cjs`] = join(work, `${part.name}.cjs`);
  await build({ ...cjs, entryPoints: [join(root, part.entry)], outfile: assets[`${part.name}.cjs`] });
}

const blob = join(work, 'sea-prep.blob');
const config = join(work, 'sea-config.json');
writeFileSync(
  config,
  JSON.stringify(
    {
      main,
      output: blob,
      // Records go to stdout and jobs' stderr is the user's: no warning line.
      disableExperimentalSEAWarning: true,
      useCodeCache: true,
      assets,
    },
    null,
    2,
  ),
);
quiet(process.execPath, ['--experimental-sea-config', config]);

/** Runs a tool whose chatter (strip warns about node's many ELF notes) matters only when it fails. */
function quiet(cmd, args) {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.stderr?.length) process.stderr.write(e.stderr);
    throw e;
  }
}

// Built beside the target and renamed over it: a test may be running the old one.
const tmp = `${binaryPath}.tmp`;
rmSync(tmp, { force: true });
copyFileSync(process.execPath, tmp);
chmodSync(tmp, 0o755);
try {
  quiet('strip', ['--strip-all', tmp]);
} catch (e) {
  console.error(`build-binary: not stripped (${e.code === 'ENOENT' ? 'no strip: install binutils' : e.message}); the binary works, only larger`);
}
quiet(process.execPath, [
  createRequire(import.meta.url).resolve('postject/dist/cli.js'),
  tmp, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
]);
// It must run: a broken strip or injection is caught here, not on a node.
const out = execFileSync(tmp, ['--version'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } }).trim();
if (!out.includes(version)) throw new Error(`build-binary: the new binary says ${JSON.stringify(out)} to --version, not ${version}`);
renameSync(tmp, binaryPath);
console.error(`build-binary: ${binaryPath} (${(readFileSync(binaryPath).length / 2 ** 20).toFixed(1)} MiB)`);
