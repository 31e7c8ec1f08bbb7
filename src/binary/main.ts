import { join } from 'node:path';
import { getRawAsset } from 'node:sea';
import { main } from '../cli/main.js';
import { EXIT } from '../exit-codes.js';
import { useHelper } from '../process/exec-helper.js';
import { useAddon, type NativeAddon } from '../native/addon.js';
import { cacheRoots, unpack } from './unpack.js';

/**
 * The CLI of the single-file binary (scripts/build-binary.mjs; started by
 * src/binary/boot.cjs): unpacks the native addon and ks-exec from its SEA
 * assets, hands them to the process layer, then runs the same CLI as the npm
 * bin.
 */

/** `<version>-<sha256 of both files>`, set by the build: a new build unpacks anew. */
declare const __KICKSTART_NATIVE_KEY__: string;

/** The asset's bytes in place, in the binary's mapped memory: nothing copied. */
function asset(name: string): Uint8Array {
  return new Uint8Array(getRawAsset(name) as ArrayBuffer);
}

function loadNative(): void {
  const uid = process.getuid?.() ?? 0;
  let addon: NativeAddon | undefined;
  const dir = unpack({
    key: __KICKSTART_NATIVE_KEY__,
    files: [
      { name: 'kickstart.node', data: asset('kickstart.node'), mode: 0o755 },
      { name: 'ks-exec', data: asset('ks-exec'), mode: 0o755 },
    ],
    roots: cacheRoots(process.env, uid),
    uid,
    // dlopen right there: a noexec mount fails here, and the next root is tried.
    check: (d) => {
      const m = { exports: {} as NativeAddon };
      process.dlopen(m, join(d, 'kickstart.node'));
      addon = m.exports;
    },
  });
  useAddon(addon!);
  useHelper(join(dir, 'ks-exec'));
}

/** The CLI from argv to an exit code, as main() is for the npm bin; src/binary/boot.cjs calls it. */
export async function run(argv: string[]): Promise<number> {
  try {
    loadNative();
  } catch (e) {
    process.stderr.write(`kickstart: ${(e as Error).message}\n`);
    return EXIT.notFound;
  }
  return main(argv);
}
