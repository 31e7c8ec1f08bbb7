import { createHash } from 'node:crypto';
import path from 'node:path';
import { safeSegment, type StagingSite } from '../staging/index.js';
import { borrowRing, returnRing, type ChunkRing, type ReadBuffers } from '../staging/read-ahead.js';
import { tarBody } from './archive.js';
import { readOrder, type Collected, type CollectedEntry } from './collect.js';
import { dataKey, genName } from './generations.js';
import type { DedupStats, Manifest, ManifestEntry } from './manifest.js';
import { identity, openSource, readSource, seconds } from './source.js';

/** A generation's data as stored: what its manifest records. */
export interface Stored {
  object: Manifest['object'];
  entries: ManifestEntry[];
  dedup?: DedupStats;
}

export interface ObjectUploadOptions {
  jobId: string;
  generation: number;
  signal?: AbortSignal;
  onBytes: (n: number) => void;
  /** Testing aid: runs after each file's bytes were read. */
  afterRead?: (path: string) => void | Promise<void>;
  /** Called once, when the first bytes were handed to the site. */
  started?: () => void | Promise<void>;
  /** Counts every byte read (the record's reread: what was read beyond the bytes shipped). */
  reads?: { bytes: number };
}

/**
 * The layout before chunks (layout 'object'): one data object per
 * generation, the file as is or one tar of every entry, streamed into
 * gen-NNNNNN/ and hashed on the way. Throws TornFileError or a SiteError.
 */
export async function uploadObject(site: StagingSite, found: Collected, o: ObjectUploadOptions): Promise<Stored> {
  const ring = site.putReleasesChunks ? borrowRing() : undefined;
  const stored = await uploadWith(site, found, o, ring);
  // put() consumed the whole body: no read into the ring is in flight. After
  // a failure one might be, so that ring is left to the collector.
  if (ring) returnRing(ring);
  return stored;
}

async function uploadWith(site: StagingSite, found: Collected, o: ObjectUploadOptions, ring: ChunkRing | undefined): Promise<Stored> {
  const gen = o.generation;
  const afterRead = o.afterRead;
  const single = found.entries.length === 1 && found.entries[0].type === 'file';
  const call = { signal: o.signal, onBytes: o.onBytes };
  if (single) {
    const e = found.entries[0];
    const name = objectName(e.path);
    const one = await singleFile(e, { ring, signal: o.signal, afterRead, reads: o.reads });
    const size = await site.put(dataKey(o.jobId, gen, name), announce(one.body, o.started), call);
    return { object: { key: `${genName(gen)}/${name}`, format: 'file', size }, entries: [one.entry()] };
  }
  const entries: ManifestEntry[] = [];
  const body = tarBody(readOrder(found.entries), entries, { signal: o.signal, ring, afterRead, reads: o.reads });
  const size = await site.put(dataKey(o.jobId, gen, 'checkpoint.tar'), announce(body, o.started), call);
  return { object: { key: `${genName(gen)}/checkpoint.tar`, format: 'tar', size }, entries };
}

/**
 * A checkpoint of one regular file: its bytes, hashed as they pass, and,
 * once they all passed, its manifest entry (as read: size, mode, mtime,
 * SHA-256, identity).
 */
export async function singleFile(
  e: CollectedEntry,
  o: { ring?: ReadBuffers; signal?: AbortSignal; afterRead?: (path: string) => void | Promise<void>; reads?: { bytes: number } },
): Promise<{ body: AsyncGenerator<Buffer>; entry: () => ManifestEntry }> {
  const src = await openSource(e.abs, e.path, e.expect);
  const hash = createHash('sha256');
  const body = readSource(src, { hash, shown: e.path, abs: e.abs, ring: o.ring, reads: o.reads, signal: o.signal, afterRead: o.afterRead && (() => o.afterRead!(e.path)) });
  const entry = (): ManifestEntry => ({
    path: e.path,
    type: 'file',
    size: Number(src.stat.size),
    mode: Number(src.stat.mode) & 0o7777,
    mtime: seconds(src.stat.mtimeNs),
    sha256: hash.digest('hex'),
    id: identity(src.stat),
  });
  return { body, entry };
}

/** Calls `started` once the first chunk has been handed on. */
export async function* announce(body: AsyncIterable<Buffer>, started?: () => void | Promise<void>): AsyncGenerator<Buffer> {
  let first = true;
  for await (const c of body) {
    yield c;
    if (first && started) await started();
    first = false;
  }
}

/** The stored name of a single-file checkpoint: its base name, made safe for any store. */
export function objectName(p: string): string {
  return safeSegment(path.posix.basename(p));
}

