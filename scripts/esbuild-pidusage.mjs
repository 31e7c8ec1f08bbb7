// esbuild plugin: bundles src/monitor/pidusage-cpu.cjs in place of pidusage's
// lib/helpers/cpu.js, which runs `getconf` as child processes (see that file).
// Fails the build when pidusage no longer has that file, rather than shipping
// a bundle that forks on its first sample.
import { fileURLToPath } from 'node:url';

const replacement = fileURLToPath(new URL('../src/monitor/pidusage-cpu.cjs', import.meta.url));

export function pidusageWithoutGetconf() {
  let replaced = false;
  let loaded = false;
  return {
    name: 'pidusage-without-getconf',
    setup(b) {
      // Tells src/monitor/sampler.ts that the first pidusage call starts no child
      // process, without loading pidusage to find out.
      b.initialOptions.define = { ...b.initialOptions.define, __KICKSTART_PIDUSAGE_NO_GETCONF__: 'true' };
      b.onResolve({ filter: /^\.\/helpers\/cpu$/ }, (args) => {
        if (!/[\\/]pidusage[\\/]lib[\\/]/.test(args.importer)) return undefined;
        replaced = true;
        return { path: replacement };
      });
      b.onLoad({ filter: /[\\/]pidusage[\\/]lib[\\/]procfile\.js$/ }, () => {
        loaded = true;
        return undefined;
      });
      b.onEnd((result) => {
        if (loaded && !replaced) {
          result.errors.push({ text: "pidusage's lib/helpers/cpu.js was not found: update scripts/esbuild-pidusage.mjs" });
        }
      });
    },
  };
}
