// An esbuild plugin for the CLI bundle: dependencies that require
// child_process at load time but use it only in rare paths (commander for
// executable subcommands, pidusage for `getconf` and `ps`) get a facade that
// requires it on the first call instead. Loading child_process pulls in net,
// dgram and the stream modules: several ms of every kickstart start
// (scripts/bench/overhead.mjs measures it).
import { readFile } from 'node:fs/promises';

const FILES = /node_modules[\\/](commander[\\/]lib[\\/]command|pidusage[\\/]lib[\\/](bin|helpers[\\/]cpu))\.js$/;
const REQUIRE = /require\((['"])(node:)?child_process\1\)/g;
// The functions these files call; anything else would be undefined, so the build checks.
const USED = ['spawn', 'exec'];
const FACADE = `({ ${USED.map((f) => `${f}: (...a) => require('node:child_process').${f}(...a)`).join(', ')} })`;

export const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onLoad({ filter: FILES }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const uses = [...text.matchAll(/(?:childProcess|require\(['"](?:node:)?child_process['"]\))\.(\w+)/g)].map((m) => m[1]);
      const unknown = uses.filter((u) => !USED.includes(u));
      if (unknown.length || !REQUIRE.test(text)) {
        return { errors: [{ text: `lazy-child-process: ${args.path} uses child_process.${unknown.join(', ') || '?'}: update scripts/esbuild-lazy.mjs` }] };
      }
      return { contents: text.replace(REQUIRE, FACADE), loader: 'js' };
    });
  },
};
