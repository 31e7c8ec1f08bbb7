import { createReadStream, promises as fsp, constants as fsc } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CHUNK, borrowRing, readAhead, returnRing } from './read-ahead.js';
import { earlyFlush, mkdirs, syncDir, writeAll, type EarlyFlush } from './durable-write.js';
import { dropEmptyDirs, walk } from './file-tree.js';
import { SiteError, TEMP_MARK, checkKey, guardBody, isAbort, oneLine, type ChunkReadOptions, type ChunkSource, type SiteCallOptions, type SiteEntry, type StagingSite } from './site.js';

/**
 * file:///abs/dir: objects are files below `dir`. A put writes a temp file
 * in the same directory, fsyncs it, renames it over the final name and
 * fsyncs the directory, so after a crash a key holds the old bytes or the
 * new ones, never a mix.
 */
export function openFileSite(url: string, dir: string): StagingSite {
  const pathOf = (key: string) => path.join(dir, ...checkKey(key).split('/'));
  // Folders this site made or found: a chunk put into one is an open, not a
  // mkdir -p first (a thousand chunks, one folder). A folder removed since
  // (pruned empty) shows as ENOENT at the open, which makes it again.
  const made = new Set<string>();
  const openTemp = async (tmp: string): Promise<FileHandle> => {
    const folder = path.dirname(tmp);
    const create = () => fsp.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o644);
    if (!made.has(folder)) {
      await mkdirs(folder);
      made.add(folder);
      return create();
    }
    try {
      return await create();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      made.delete(folder);
      return openTemp(tmp);
    }
  };

  async function put(key: string, body: AsyncIterable<Uint8Array>, o: SiteCallOptions = {}): Promise<number> {
    const final = pathOf(key);
    // Beside the final name, so the rename stays in one directory.
    const tmp = final + TEMP_MARK + randomBytes(6).toString('hex');
    let fh: FileHandle | undefined;
    let bytes = 0;
    let early: EarlyFlush | undefined;
    const guarded = guardBody(body);
    try {
      fh = await openTemp(tmp);
      // One write in flight while the next chunk is produced (read + hashed)
      // by the body, so reading, hashing and writing overlap. The write of
      // chunk N-1 ends before chunk N+1 is asked for (putReleasesChunks).
      let pending: Promise<void> = Promise.resolve();
      const handle = fh;
      early = earlyFlush(handle);
      for await (const chunk of guarded.iter) {
        o.signal?.throwIfAborted();
        await pending;
        early.written(bytes);
        pending = writeAll(handle, chunk);
        // Awaited on the next chunk or after the loop; until then a failed write (ENOSPC)
        // must not count as an unhandled rejection, which would end the process.
        pending.catch(() => {});
        bytes += chunk.byteLength;
        o.onBytes?.(chunk.byteLength);
      }
      await pending;
      await early.done();
      await fh.sync();
      await fh.close();
      fh = undefined;
      await fsp.rename(tmp, final);
      await syncDir(path.dirname(final));
      return bytes;
    } catch (err) {
      // No flush may still run on the descriptor when it is closed.
      await early?.done().catch(() => {});
      await fh?.close().catch(() => {});
      await fsp.rm(tmp, { force: true }).catch(() => {});
      // A failed first put (disk full) must not leave the generation folder it made behind.
      await dropEmptyDirs(dir, [path.dirname(final)]);
      if (guarded.failure() !== undefined) throw guarded.failure();
      throw wrap(err, url, key, o.signal, 'put');
    }
  }

  async function openObject(key: string, o: SiteCallOptions): Promise<{ fh: FileHandle; size: number }> {
    try {
      const fh = await fsp.open(pathOf(key), 'r');
      const st = await fh.stat();
      if (!st.isFile()) {
        await fh.close();
        throw new SiteError('missing', `${describe(key)} is not a file`);
      }
      return { fh, size: st.size };
    } catch (err) {
      throw wrap(err, url, key, o.signal, 'get');
    }
  }

  async function get(key: string, o: SiteCallOptions = {}): Promise<Readable> {
    const { fh, size } = await openObject(key, o);
    // Objects are never written in place: read to the size they have now. With
    // the end known each read gets a buffer of what is left (at most CHUNK);
    // without, a 1 MiB chunk is read into a 4 MiB buffer and copied out of it.
    const end = size > 0 ? size - 1 : undefined;
    const stream = createReadStream('', { fd: fh, highWaterMark: CHUNK, end, signal: o.signal });
    if (o.onBytes) stream.on('data', (c: string | Buffer) => o.onBytes!(c.length));
    return stream;
  }

  async function getChunks(key: string, o: ChunkReadOptions = {}, held?: FileHandle, release?: Promise<unknown>): Promise<ChunkSource> {
    const opened = held ? undefined : await openObject(key, o);
    const fh = held ?? opened!.fh;
    let started = false;
    const chunks = (async function* () {
      started = true;
      const borrowed = o.buffers ? undefined : borrowRing();
      const ring = o.buffers ?? borrowed!;
      try {
        // To the size as opened: no last read past the end takes a buffer.
        for await (const c of readAhead(fh, { ring, size: opened?.size, signal: o.signal })) {
          o.onBytes?.(c.length);
          yield c;
        }
      } catch (err) {
        throw wrap(err, url, key, o.signal, 'get');
      } finally {
        // Past its last read: the consumer has had every chunk.
        if (borrowed) returnRing(borrowed);
        await release?.catch(() => {});
        await fh.close().catch(() => {});
      }
    })();
    return {
      [Symbol.asyncIterator]: () => chunks,
      destroy() {
        // A generator never started skips its finally: close the file here.
        if (!started) void (release ?? Promise.resolve()).catch(() => {}).then(() => fh.close().catch(() => {}));
        void chunks.return(undefined).catch(() => {});
      },
    };
  }

  async function getCopying(key: string, dest: string, o: SiteCallOptions = {}): Promise<{ chunks: ChunkSource; copied: Promise<void> }> {
    const { fh } = await openObject(key, o);
    // The open descriptor by its /proc name: copyFile opens the very inode
    // being hashed. The kernel copies on a pool thread while the main thread
    // hashes: no userspace write, no buffer handed from reader to writer.
    const copied = fsp.copyFile(`/proc/self/fd/${fh.fd}`, dest).catch((err: unknown) => {
      throw wrap(err, url, key, o.signal, 'get');
    });
    copied.catch(() => {});
    return { chunks: await getChunks(key, o, fh, copied), copied };
  }

  async function list(prefix: string, o: SiteCallOptions = {}): Promise<SiteEntry[]> {
    const out: SiteEntry[] = [];
    // The prefix names a directory ("job/") or a name start ("job/gen-"):
    // walk the deepest directory it fully names.
    const cut = prefix.lastIndexOf('/');
    const baseKey = cut >= 0 ? prefix.slice(0, cut) : '';
    const start = baseKey ? pathOf(baseKey) : dir;
    try {
      await walk(start, baseKey, prefix, out, o.signal);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return out;
      throw wrap(err, url, prefix || '.', o.signal, 'list');
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async function remove(entries: SiteEntry[], o: SiteCallOptions = {}): Promise<void> {
    const dirs = new Set<string>();
    for (const e of entries) {
      o.signal?.throwIfAborted();
      const p = pathOf(e.key);
      try {
        await fsp.rm(p, { force: true });
      } catch (err) {
        throw wrap(err, url, e.key, o.signal, 'remove');
      }
      dirs.add(path.dirname(p));
    }
    await dropEmptyDirs(dir, [...dirs]);
  }

  async function publish(key: string, data: Uint8Array, o: SiteCallOptions = {}): Promise<void> {
    await put(key, (async function* () {
      yield data;
    })(), o);
  }

  function describe(key: string): string {
    return `${url.replace(/\/+$/, '')}/${key}`;
  }

  return { url, put, putReleasesChunks: true, get, getChunks: (key, o) => getChunks(key, o), getCopying, list, remove, publish, describe, close() {} };
}

function wrap(err: unknown, url: string, key: string, signal: AbortSignal | undefined, op: 'put' | 'get' | 'list' | 'remove'): SiteError {
  if (err instanceof SiteError) return err;
  if (isAbort(err, signal)) return new SiteError('fatal', 'aborted', { cause: err });
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${url.replace(/\/+$/, '')}/${key}`;
  if (code === 'ENOENT' && op === 'get') return new SiteError('missing', `${where}: no such object`, { cause: err });
  return new SiteError('retryable', oneLine(err), { cause: err });
}
