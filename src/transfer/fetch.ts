import { promises as fsp, constants as fsc } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { SiteError, oneLine, type ChunkSource, type StagingSite } from '../staging/index.js';
import { ArchiveError, readTar } from './archive.js';
import { manifestKey } from './generations.js';
import { parseManifest, type ChunkRef, type Manifest, type ManifestEntry } from './manifest.js';
import { readChunks } from './chunk-store.js';
import { archiveName, unsafePathReason } from './paths.js';
import { VerifyError } from './verify-error.js';

export { VerifyError };

export interface Fetched {
  manifest: Manifest;
  /** Manifest path -> verified temp file (when fetched into a scratch folder). */
  temp: Map<string, string>;
  /** Bytes of the data object read. */
  objectBytes: number;
}

export interface FetchOptions {
  jobId: string;
  generation: number;
  /** Where verified file contents go (`<scratch>/<n>`); undefined: verify only. */
  scratch?: string;
  allowOutside: boolean;
  signal?: AbortSignal;
  onBytes?: (n: number) => void;
}

const MANIFEST_MAX = 64 << 20;

/**
 * Fetches one generation and checks it against its manifest: every file's
 * size and SHA-256, every entry's type and link target, no entry missing or
 * extra, no unsafe name. Throws VerifyError when the generation is bad, a
 * SiteError when the site is (retryable ones may be tried again).
 */
export async function fetchGeneration(site: StagingSite, o: FetchOptions): Promise<Fetched> {
  const m = await readManifest(site, o.jobId, o.generation, o.signal);
  for (const e of m.entries) {
    if (e.path.startsWith('/') && !o.allowOutside) {
      throw new VerifyError(`'${e.path}' would be restored outside the working directory (allow it with --allow-outside)`);
    }
  }
  const chunks = m.object.chunks;
  const okey = `${o.jobId}/${m.object.key}`;
  const where = chunks ? `${site.describe(manifestKey(o.jobId, o.generation))} (${chunks.length} chunks)` : site.describe(okey);
  // The object may come as ring chunks (file://): receive() then writes each
  // piece before asking for the next, and readTar holds no piece across
  // entries (headers are decoded at once, or copied when they span chunks).
  const ring = !chunks && site.getChunks !== undefined;
  const maxBatch = ring ? 0 : MAX_BATCH;
  const temp = new Map<string, string>();
  let index = 0;
  const sink = (e: ManifestEntry) => {
    if (!o.scratch) return undefined;
    const p = path.join(o.scratch, String(index++));
    temp.set(e.path, p);
    return p;
  };
  // One file from a local site: the kernel copies it while its bytes are
  // hashed here, so stage-in costs about a read and a hash.
  const single = m.object.format === 'file' ? m.entries[0] : undefined;
  const copyTo = !chunks && single && o.scratch && site.getCopying ? sink(single) : undefined;
  let copied: Promise<void> | undefined;
  let stream: Readable | ChunkSource;
  if (chunks) {
    stream = chunkStream(site, chunks, o);
  } else if (copyTo) {
    const c = await orVerifyError(() => site.getCopying!(okey, copyTo, { signal: o.signal }));
    stream = c.chunks;
    copied = c.copied;
  } else {
    stream = await getOrVerifyError(site, okey, o.signal, ring);
  }
  let objectBytes = 0;
  const source = guarded(stream, where, (b) => {
    objectBytes += b;
    o.onBytes?.(b);
  });
  try {
    if (copied) {
      await receive(source, undefined, single!, where, maxBatch);
      await copied;
    } else if (single) {
      await receive(source, sink(single), single, where, maxBatch);
    } else {
      const byName = new Map(m.entries.map((e) => [archiveName(e.path), e]));
      const seen = new Set<string>();
      await readTar(source, async (t, body) => {
        const bad = unsafePathReason(t.name, false);
        if (bad) throw new VerifyError(`${where}: archive entry '${t.name}' refused: ${bad}`);
        const e = byName.get(t.name);
        if (!e) throw new VerifyError(`${where}: archive entry '${t.name}' is not in the manifest`);
        if (seen.has(t.name)) throw new VerifyError(`${where}: archive entry '${t.name}' appears twice`);
        seen.add(t.name);
        if (t.type !== e.type) throw new VerifyError(`${where}: '${t.name}' is a ${t.type} in the archive, a ${e.type} in the manifest`);
        if (e.type === 'symlink' && t.linkname !== e.target) throw new VerifyError(`${where}: link '${t.name}' points elsewhere than the manifest says`);
        if (e.type === 'file') {
          if (t.size !== e.size) throw new VerifyError(`${where}: '${t.name}' has ${t.size} bytes, the manifest says ${e.size}`);
          await receive(body, sink(e), e, where, maxBatch);
        }
      });
      const absent = m.entries.find((e) => !seen.has(archiveName(e.path)));
      if (absent) throw new VerifyError(`${where}: '${absent.path}' is missing from the archive`);
    }
    // Whatever follows the archive's end must still be read to count it.
    for await (const _ of source) void _;
  } catch (err) {
    stream.destroy();
    // No copy may still write into the scratch folder when it is removed.
    await copied?.catch(() => {});
    if (err instanceof ArchiveError) throw new VerifyError(`${where}: ${err.message}`);
    throw err;
  }
  if (objectBytes !== m.object.size) {
    throw new VerifyError(`${where}: ${objectBytes} bytes stored, the manifest says ${m.object.size}`);
  }
  return { manifest: m, temp, objectBytes };
}

/**
 * Hashes a file's bytes as they arrive, writing them when a destination is
 * given: one write in flight, and what arrives meanwhile goes out with the
 * next one as a single writev (network bodies come in 16-64 KiB chunks; a
 * write each would cost a thread-pool round trip each). Past `maxBatch`
 * bytes waiting, it waits for the write in flight; 0: every chunk is written
 * before the next is asked for, as ring chunks need.
 */
async function receive(body: AsyncIterable<Buffer>, dest: string | undefined, e: ManifestEntry, where: string, maxBatch: number): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  let fh: FileHandle | undefined;
  let batch: Buffer[] = [];
  let batched = 0;
  let writing: Promise<void> | undefined;
  let failed: { err: unknown } | undefined;
  // A function, not inline checks: TypeScript cannot see the callback below set it.
  const rethrow = () => {
    if (failed) throw failed.err;
  };
  const flush = (h: FileHandle) => {
    const bufs = batch;
    batch = [];
    batched = 0;
    writing = writevAll(h, bufs).then(
      () => void (writing = undefined),
      (err: unknown) => void ((failed = { err }), (writing = undefined)),
    );
  };
  try {
    if (dest) fh = await fsp.open(dest, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC, 0o600);
    for await (const c of body) {
      hash.update(c);
      size += c.length;
      if (!fh) continue;
      rethrow();
      batch.push(c);
      batched += c.length;
      // Bounded memory: past MAX_BATCH, wait for the write in flight.
      if (writing && batched >= maxBatch) await writing;
      rethrow();
      if (!writing) flush(fh);
    }
    if (writing) await writing;
    rethrow();
    if (fh && batch.length > 0) {
      flush(fh);
      await writing;
    }
    rethrow();
  } finally {
    if (writing) await writing;
    await fh?.close();
  }
  if (size !== e.size) throw new VerifyError(`${where}: '${e.path}' has ${size} bytes, the manifest says ${e.size}`);
  const sum = hash.digest('hex');
  if (sum !== e.sha256) throw new VerifyError(`${where}: '${e.path}' fails its SHA-256 check (${sum.slice(0, 12)}… is not ${e.sha256!.slice(0, 12)}…)`);
}

const MAX_BATCH = 8 << 20;

/** writev until every byte is written (a short write resumes where it stopped). */
async function writevAll(fh: FileHandle, bufs: Buffer[]): Promise<void> {
  let left = bufs;
  while (left.length > 0) {
    const { bytesWritten } = await fh.writev(left);
    let skip = bytesWritten;
    let i = 0;
    while (i < left.length && skip >= left[i].length) skip -= left[i++].length;
    left = left.slice(i);
    if (left.length > 0 && skip > 0) left[0] = left[0].subarray(skip);
  }
}

/** A chunked generation's data as one stream of verified chunks. */
function chunkStream(site: StagingSite, refs: ChunkRef[], o: FetchOptions): ChunkSource {
  const it = readChunks(site, refs, { jobId: o.jobId, signal: o.signal });
  return { [Symbol.asyncIterator]: () => it, destroy: () => void it.return(undefined).catch(() => {}) };
}

/** The object's chunks; a failure while they arrive is a (retryable) site error, with the URL. */
async function* guarded(stream: AsyncIterable<unknown>, where: string, count: (n: number) => void): AsyncGenerator<Buffer> {
  try {
    for await (const c of stream) {
      const b = c as Buffer;
      count(b.length);
      yield b;
    }
  } catch (err) {
    if (err instanceof SiteError || err instanceof VerifyError || err instanceof ArchiveError) throw err;
    throw new SiteError('retryable', `${where}: ${oneLine(err)}`, { cause: err });
  }
}

function getOrVerifyError(site: StagingSite, key: string, signal?: AbortSignal, ring = false): Promise<Readable | ChunkSource> {
  return orVerifyError<Readable | ChunkSource>(() => (ring && site.getChunks ? site.getChunks(key, { signal }) : site.get(key, { signal })));
}

/** A missing object makes the generation bad (roll back), not the site. */
async function orVerifyError<T>(open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    if (err instanceof SiteError && err.kind === 'missing') throw new VerifyError(err.message);
    throw err;
  }
}

/** One generation's manifest, parsed and checked; VerifyError when it is missing or malformed. */
export async function readManifest(site: StagingSite, jobId: string, generation: number, signal?: AbortSignal): Promise<Manifest> {
  const mkey = manifestKey(jobId, generation);
  const parsed = parseManifest(await readSmall(site, mkey, signal), { jobId, generation });
  if (!parsed.ok) throw new VerifyError(`${site.describe(mkey)}: ${parsed.message}`);
  return parsed.manifest;
}

async function readSmall(site: StagingSite, key: string, signal?: AbortSignal): Promise<Buffer> {
  const stream = await getOrVerifyError(site, key, signal);
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of guarded(stream, site.describe(key), () => {})) {
    n += c.length;
    if (n > MANIFEST_MAX) {
      stream.destroy();
      throw new VerifyError(`${site.describe(key)}: manifest larger than ${MANIFEST_MAX} bytes`);
    }
    parts.push(c);
  }
  return Buffer.concat(parts);
}
