import { promises as fsp } from 'node:fs';
import { createHash } from 'node:crypto';
import { BLOCK, TRAILER, decodeHeader, decodePax, encodeHeader, padding, type TarHeader, type TarType } from './archive-header.js';
import { archiveName } from './paths.js';
import { identity, openSource, readSource, seconds, TornFileError } from './source.js';
import type { CollectedEntry } from './collect.js';
import type { ChunkRing } from '../staging/read-ahead.js';
import type { ManifestEntry } from './manifest.js';

/**
 * Streaming tar: the writer reads each checkpoint file once, hashing it on
 * the way into the archive; the reader hands each entry's bytes to a
 * callback as they arrive. Neither holds more than a few chunks in memory.
 */

const COALESCE = 1 << 20;

export interface TarWriteOptions {
  signal?: AbortSignal;
  /** Read files into these buffers (see ChunkRing); small chunks held for coalescing are then copied. */
  ring?: ChunkRing;
  /** Testing aid: runs after each file's bytes were read. */
  afterRead?: (path: string) => void | Promise<void>;
  /** Counts the bytes read from the files. */
  reads?: { bytes: number };
}

/**
 * Yields the archive of `entries` (parents first) and pushes one manifest
 * entry per archived item into `done`, with the size, mode and mtime of the
 * bytes actually read and their SHA-256. Throws TornFileError when a file
 * changes (or goes) while it is read.
 */
export async function* tarBody(entries: CollectedEntry[], done: ManifestEntry[], o: TarWriteOptions = {}): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  const hold = (b: Buffer) => {
    parts.push(b);
    held += b.length;
  };
  const flush = () => {
    const out = parts.length === 1 ? parts[0] : Buffer.concat(parts, held);
    parts = [];
    held = 0;
    return out;
  };
  // A ring chunk handed straight to the consumer may still be being written;
  // the ring keeps it safe only while every read follows a consumer turn.
  // Small files read between two large ones take slots without a turn, so
  // before the next file's reads the held bytes (its header at least) go out
  // first: by the consumer's next turn the last ring chunk is written.
  let ringOut = false;
  for (const e of entries) {
    o.signal?.throwIfAborted();
    const name = archiveName(e.path);
    if (e.type === 'file') {
      const src = await openSource(e.abs, e.path, e.expect);
      // A companion's size is taken here, after the checkpoint proper was read (readOrder).
      const size = Number(src.stat.size);
      const mode = Number(src.stat.mode) & 0o7777;
      const mtime = seconds(src.stat.mtimeNs);
      hold(encodeHeader({ name, type: 'file', size, mode, mtime }));
      if (ringOut) {
        ringOut = false;
        yield flush();
      }
      const hash = createHash('sha256');
      const chunks = readSource(src, {
        hash,
        shown: e.path,
        abs: e.abs,
        exact: true,
        companion: e.companion,
        reads: o.reads,
        ring: o.ring,
        signal: o.signal,
        afterRead: o.afterRead && (() => o.afterRead!(e.path)),
      });
      for await (const c of chunks) {
        if (c.length >= COALESCE / 4) {
          if (held > 0) yield flush();
          ringOut = o.ring !== undefined;
          yield c;
        } else {
          // A held chunk may outlive its ring slot: keep a copy (it is small).
          hold(o.ring ? Buffer.from(c) : c);
          if (held >= COALESCE) yield flush();
        }
      }
      const pad = padding(size);
      if (pad) hold(Buffer.alloc(pad));
      done.push({ path: e.path, type: 'file', size, mode, mtime, sha256: hash.digest('hex'), id: identity(src.stat) });
    } else {
      let st;
      try {
        st = await fsp.lstat(e.abs, { bigint: true });
      } catch {
        throw new TornFileError(e.path, 'it was removed');
      }
      const type: TarType = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
      if (type !== e.type) throw new TornFileError(e.path, `it is no longer a ${e.type}`);
      const mode = Number(st.mode) & 0o7777;
      const mtime = seconds(st.mtimeNs);
      const target = type === 'symlink' ? await fsp.readlink(e.abs) : undefined;
      hold(encodeHeader({ name, type, size: 0, mode, mtime, linkname: target }));
      done.push({ path: e.path, type, size: 0, mode, mtime, ...(target !== undefined ? { target } : {}) });
    }
    if (held >= COALESCE) yield flush();
  }
  hold(TRAILER);
  yield flush();
}

/** An entry as read back: the same fields its header was written from. */
export type TarEntry = TarHeader;

/** A damaged or hostile archive: what is wrong, in one line. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

/**
 * Reads a tar stream entry by entry. `onEntry` gets each entry's header and
 * an iterable of its bytes, which it must consume before returning (what it
 * leaves is skipped). Supports ustar, pax ('x', 'g') and GNU long names;
 * refuses hard links, devices and fifos. Resolves to the bytes consumed.
 */
export async function readTar(
  source: AsyncIterable<Uint8Array>,
  onEntry: (e: TarEntry, body: AsyncIterable<Buffer>) => Promise<void>,
): Promise<number> {
  const r = new ByteReader(source);
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const block = await r.exact(BLOCK);
    if (!block) throw new ArchiveError('archive ends without its end-of-archive blocks');
    let h;
    try {
      h = decodeHeader(block);
    } catch (err) {
      throw new ArchiveError(`bad archive header at byte ${r.consumed - BLOCK}: ${(err as Error).message}`);
    }
    if (h.kind === 'end') {
      // The second zero block is optional for some writers; whatever follows is padding.
      await r.drain();
      return r.consumed;
    }
    if (h.flag === 'x' || h.flag === 'g' || h.flag === 'L' || h.flag === 'K') {
      if (h.size > 1 << 20) throw new ArchiveError(`extended header of ${h.size} bytes is too large`);
      const body = (await r.exact(h.size)) ?? fail('archive truncated in an extended header');
      await r.skip(padding(h.size));
      if (h.flag === 'x') pax = decodeSafely(body);
      else if (h.flag === 'L') longName = cString(body);
      else if (h.flag === 'K') longLink = cString(body);
      continue;
    }
    const type: TarType | undefined = h.flag === '0' || h.flag === '7' ? 'file' : h.flag === '5' ? 'dir' : h.flag === '2' ? 'symlink' : undefined;
    let name = pax.path ?? longName ?? h.name;
    if (!type) throw new ArchiveError(`archive entry '${name}' has unsupported type '${h.flag}'`);
    if (type === 'dir') name = name.replace(/\/+$/, '');
    const size = type === 'file' ? (pax.size !== undefined ? Number(pax.size) : h.size) : 0;
    if (!Number.isSafeInteger(size) || size < 0) throw new ArchiveError(`archive entry '${name}' has a bad size`);
    const entry: TarEntry = {
      name,
      type,
      size,
      mode: h.mode,
      mtime: pax.mtime !== undefined ? Number(pax.mtime) : h.mtime,
      ...(type === 'symlink' ? { linkname: pax.linkpath ?? longLink ?? h.linkname } : {}),
    };
    pax = {};
    longName = longLink = undefined;
    let left = size;
    const body = (async function* () {
      while (left > 0) {
        const c = await r.upTo(left);
        if (!c) throw new ArchiveError(`archive truncated inside '${name}'`);
        left -= c.length;
        yield c;
      }
    })();
    await onEntry(entry, body);
    while (left > 0) {
      const c = await r.upTo(left);
      if (!c) throw new ArchiveError(`archive truncated inside '${name}'`);
      left -= c.length;
    }
    await r.skip(padding(size));
  }
}

function fail(msg: string): never {
  throw new ArchiveError(msg);
}

function decodeSafely(b: Buffer): Record<string, string> {
  try {
    return decodePax(b);
  } catch (err) {
    throw new ArchiveError(`bad pax header: ${(err as Error).message}`);
  }
}

function cString(b: Buffer): string {
  const z = b.indexOf(0);
  return b.toString('utf8', 0, z < 0 ? b.length : z);
}

/** Pulls bytes from an async iterable in the amounts a parser asks for, copying only across chunk seams. */
class ByteReader {
  private it: AsyncIterator<Uint8Array>;
  private cur: Buffer = Buffer.alloc(0);
  private off = 0;
  consumed = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    while (this.off >= this.cur.length) {
      const n = await this.it.next();
      if (n.done) return false;
      const v = n.value;
      this.cur = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      this.off = 0;
    }
    return true;
  }

  /** Up to `max` bytes (at least one) without copying, or undefined at the end. */
  async upTo(max: number): Promise<Buffer | undefined> {
    if (!(await this.fill())) return undefined;
    const n = Math.min(max, this.cur.length - this.off);
    const out = this.cur.subarray(this.off, this.off + n);
    this.off += n;
    this.consumed += n;
    return out;
  }

  /** Exactly `n` bytes, or undefined when the stream ends first. */
  async exact(n: number): Promise<Buffer | undefined> {
    if (n === 0) return Buffer.alloc(0);
    const first = await this.upTo(n);
    if (!first) return undefined;
    if (first.length === n) return first;
    const parts = [first];
    let got = first.length;
    while (got < n) {
      const c = await this.upTo(n - got);
      if (!c) return undefined;
      parts.push(c);
      got += c.length;
    }
    return Buffer.concat(parts, n);
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const c = await this.upTo(left);
      if (!c) throw new ArchiveError('archive truncated');
      left -= c.length;
    }
  }

  async drain(): Promise<void> {
    while (await this.upTo(Infinity));
  }
}
