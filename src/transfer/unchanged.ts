import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { StagingSite } from '../staging/index.js';
import type { CollectedEntry } from './collect.js';
import { readManifest } from './read-manifest.js';
import type { GenerationState } from './generations.js';
import type { Manifest, ManifestEntry } from './manifest.js';
import { identity } from './source.js';

/**
 * Unchanged is not a new generation: when the files to ship are
 * byte-identical to the newest published generation, stage-out publishes
 * nothing (a failed attempt that made no progress must not rotate a good
 * generation out of --keep). Sizes, types and link targets first, from the
 * manifest; only when all match are the files hashed (but those whose
 * identity is the one the manifest recorded: they were not written since). Every doubt (no
 * manifest, a read error) answers "changed": the upload then decides. A
 * clean end never counts as unchanged from a generation a failed attempt
 * shipped: it publishes the same files as clean (see prune.ts).
 *
 * Resolves to the newest generation's manifest when nothing changed.
 */
export async function unchangedSince(
  site: StagingSite,
  o: { jobId: string; clean: boolean; signal?: AbortSignal; reads?: { bytes: number } },
  states: GenerationState[],
  entries: CollectedEntry[],
): Promise<Manifest | undefined> {
  const newest = states.filter((s) => s.manifest).at(-1);
  if (!newest) return undefined;
  try {
    const manifest = await readManifest(site, o.jobId, newest.generation, o.signal);
    if ((o.clean && manifest.clean === false) || !sameShape(manifest.entries, entries)) return undefined;
    const byPath = new Map(manifest.entries.map((e) => [e.path, e]));
    for (const e of entries) {
      if (e.type !== 'file') continue;
      const m = byPath.get(e.path)!;
      // The identity the manifest recorded (dev:ino:size:mtime:ctime) is the same file unwritten: no read.
      if (m.id !== undefined && identity(await fsp.lstat(e.abs, { bigint: true })) === m.id) continue;
      if ((await prefixHash(e.abs, m.size, o.reads)) !== m.sha256) return undefined;
    }
    return manifest;
  } catch {
    return undefined;
  }
}

/** Same paths, types, sizes and link targets. */
function sameShape(shipped: ManifestEntry[], now: CollectedEntry[]): boolean {
  if (shipped.length !== now.length) return false;
  const byPath = new Map(shipped.map((e) => [e.path, e]));
  return now.every((e) => {
    const m = byPath.get(e.path);
    return m !== undefined && m.type === e.type && m.size === e.size && (e.type !== 'symlink' || m.target === e.target);
  });
}

/** SHA-256 of a file's first `size` bytes; undefined when it has fewer. */
async function prefixHash(abs: string, size: number, reads?: { bytes: number }): Promise<string | undefined> {
  const fh = await fsp.open(abs, 'r');
  try {
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(Math.min(Math.max(size, 1), 1 << 20));
    for (let at = 0; at < size; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - at), at);
      if (bytesRead === 0) return undefined;
      hash.update(buf.subarray(0, bytesRead));
      at += bytesRead;
      if (reads) reads.bytes += bytesRead;
    }
    return hash.digest('hex');
  } finally {
    await fh.close();
  }
}
