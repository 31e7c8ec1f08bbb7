// The parts kept out of the CLI bundle and loaded on demand: one list for
// the npm package (scripts/build.mjs: dist/<name>.cjs) and the single-file
// binary (scripts/build-binary.mjs: an asset each).
//   filter: how the CLI's sources import the part (its entry, and only that);
//   owns:   the part's own files, which the CLI bundle must not carry
//           (carriedInternals() fails the build when it does);
//   shared: owned files the CLI may carry too, each for a stated reason;
//   plugins: esbuild plugins the part's own bundle needs.
import { ssh2WithoutNative } from './esbuild-ssh2.mjs';

export const PARTS = [
  {
    name: 'transfer',
    entry: 'src/transfer/index.ts',
    filter: /\/transfer\/index\.js$/,
    owns: 'src/transfer/',
    // Pure: the history object's format, which supervise/auto-deadline.ts updates before each stage-out.
    shared: ['src/transfer/deadline-history.ts'],
  },
  { name: 'show', entry: 'src/show/index.ts', filter: /\/show\/index\.js$/, owns: 'src/show/', shared: [] },
  {
    name: 'deadlines',
    entry: 'src/supervise/deadline-sources/index.ts',
    filter: /\/deadline-sources\/index\.js$/,
    owns: 'src/supervise/deadline-sources/',
    shared: [],
  },
];

/** The transfer part's own parts: the S3 SDK (first s3:// call) and ssh2 (first sftp:// call). */
export const SDK = { name: 's3-sdk', entry: 'src/staging/s3-sdk.ts', filter: /^@aws-sdk\/client-s3$/, owns: 'node_modules/@aws-sdk/', shared: [] };
export const SSH2 = { name: 'ssh2', entry: 'src/staging/ssh2-lib.ts', filter: /^ssh2$/, owns: 'node_modules/ssh2/', shared: [], plugins: [ssh2WithoutNative] };
export const TRANSFER_PARTS = [SDK, SSH2];
/** Every part, each with the parts it keeps apart itself. */
export const ALL_PARTS = [...PARTS.map((p) => ({ ...p, apart: p.name === 'transfer' ? TRANSFER_PARTS : [] })), ...TRANSFER_PARTS.map((p) => ({ ...p, apart: [] }))];

/** npm build: imports of the parts become require('./<name>.cjs') of the file beside the CLI. */
export function partsApart(parts) {
  return {
    name: 'parts-apart',
    setup(b) {
      for (const part of parts) b.onResolve({ filter: part.filter }, () => ({ path: `./${part.name}.cjs`, external: true }));
    },
  };
}

/** The bundle inputs (esbuild metafile) that belong to a part: what a bundle kept apart from it must not carry. */
export function carriedInternals(metafile, parts = [...PARTS, ...TRANSFER_PARTS]) {
  const inputs = Object.keys(metafile.inputs);
  return parts.flatMap((p) => inputs.filter((f) => f.startsWith(p.owns) && !p.shared.includes(f)).map((f) => `${f} (part ${p.name})`));
}

/** Throws when the CLI bundle carries a part's internals: a direct import of a part's file instead of its entry. */
export function checkApart(label, metafile, parts) {
  const bad = carriedInternals(metafile, parts);
  if (bad.length > 0) {
    throw new Error(`${label} carries what belongs to parts kept apart; import them through the part's entry (scripts/bundle-parts.mjs):\n  ${bad.join('\n  ')}`);
  }
}
