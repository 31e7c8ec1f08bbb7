import type { Readable } from 'node:stream';
import type { ReadBuffers } from './read-ahead.js';

/**
 * A staging site: a flat store of objects named by '/'-separated keys below
 * the staging URL. Every adapter (file://, s3://) offers the same five
 * operations; keys never start with '/' and never contain '.' or '..'
 * segments (see `checkKey`).
 */
export interface StagingSite {
  /** The staging URL as given (never holds credentials). */
  readonly url: string;
  /**
   * Streams `body` into `key`. The object appears under its name only when
   * complete (file://: temp name + fsync + rename; s3://: single PUT or a
   * completed multipart upload); a failed or interrupted put leaves at most a
   * `partial` leftover that `list` reports and `remove` clears.
   * Resolves to the number of bytes stored.
   */
  put(key: string, body: AsyncIterable<Uint8Array>, o?: SiteCallOptions): Promise<number>;
  /**
   * True when put() is done with each body chunk by the time it asks for the
   * chunk after the next (file://: one write in flight), so the body may be
   * read into a ChunkRing; absent where the adapter keeps chunks (S3 parts).
   */
  readonly putReleasesChunks?: boolean;
  /** A stream of the object's bytes; rejects with SiteError kind 'missing' when there is none. */
  get(key: string, o?: SiteCallOptions): Promise<Readable>;
  /**
   * Like get(), as chunks read into a ChunkRing: each is valid only until the
   * one after the next is asked for. Absent where the adapter has only get().
   */
  getChunks?(key: string, o?: ChunkReadOptions): Promise<ChunkSource>;
  /**
   * Copies the object into the local file `dest` in the kernel
   * (copy_file_range, a reflink where the filesystem has them) while
   * yielding the same open file's bytes as ring chunks, for hashing: the
   * copy and the bytes checked come from one inode, so a key replaced
   * meanwhile cannot slip unchecked bytes in. `copied` settles when the copy
   * is done. Absent where the object is not a local file.
   */
  getCopying?(key: string, dest: string, o?: SiteCallOptions): Promise<{ chunks: ChunkSource; copied: Promise<void> }>;
  /** Every object and leftover whose key starts with `prefix`. */
  list(prefix: string, o?: SiteCallOptions): Promise<SiteEntry[]>;
  /** Deletes objects (and aborts/removes `partial` leftovers); absent ones are fine. */
  remove(entries: SiteEntry[], o?: SiteCallOptions): Promise<void>;
  /** Writes a small object atomically: readers see the old state or the whole new object. */
  publish(key: string, data: Uint8Array, o?: SiteCallOptions): Promise<void>;
  /** The URL of one key, for messages. */
  describe(key: string): string;
  /** Releases sockets and the like. */
  close(): void;
}

/**
 * A staging URL parsed and checked once (registry.resolve), with its kind's
 * site options: the one thing the transfer step is handed.
 */
export interface StagingLocation {
  /** The URL, cleaned (no trailing '/'); never holds credentials. */
  readonly url: string;
  readonly scheme: string;
  /** Opens an adapter; close() it when done. */
  open(): Promise<StagingSite>;
  /** Masks secrets the kind's adapter might echo in error text. */
  redact(text: string): string;
}

/** Chunks to iterate once; destroy() releases the object when they will not all be read. */
export interface ChunkSource extends AsyncIterable<Buffer> {
  destroy(): void;
}

export interface SiteEntry {
  key: string;
  size: number;
  mtimeMs: number;
  /** An upload that never completed: a temp file, an open multipart upload. */
  partial?: boolean;
  /** Adapter data needed to remove a partial entry (e.g. an S3 upload id). */
  ref?: string;
}

export interface SiteCallOptions {
  signal?: AbortSignal;
  /** Called with the size of each chunk as it is stored or fetched. */
  onBytes?: (n: number) => void;
}

export interface ChunkReadOptions extends SiteCallOptions {
  /**
   * Read into these buffers instead of a ring: each chunk is then valid
   * until the caller gives its buffer back (a BufferPool), so chunks may be
   * fetched ahead of their use without a fresh buffer each.
   */
  buffers?: ReadBuffers;
}

/**
 * How a site operation failed, which is what the retry runner switches on:
 * 'retryable' (network, I/O, server errors), 'missing' (no such object: a
 * generation that is not whole), 'fatal' (retrying cannot help: bad URL,
 * aborted).
 */
export type SiteErrorKind = 'retryable' | 'missing' | 'fatal';

export class SiteError extends Error {
  override name = 'SiteError';
  constructor(
    readonly kind: SiteErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A key is '/'-separated, relative, with no empty, '.' or '..' segment. */
export function checkKey(key: string): string {
  if (key === '' || key.startsWith('/') || key.includes('\0') || key.includes('\\')) {
    throw new SiteError('fatal', `bad staging key '${key}'`);
  }
  for (const seg of key.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw new SiteError('fatal', `bad staging key '${key}'`);
  }
  return key;
}

/**
 * Adapters may name in-progress uploads `<key>.tmp-<hex>` (file://); keys of
 * objects never carry the mark, so a leftover is never taken for an object.
 */
export const TEMP_MARK = '.tmp-';

/** One path segment made safe as a key segment on every kind: [A-Za-z0-9._-], never '.', '..', hidden or a temp name. */
export function safeSegment(name: string): string {
  const base = name.replace(/[^A-Za-z0-9._-]/g, '_').replaceAll(TEMP_MARK, '.tmp_');
  return base === '' || base === '.' || base === '..' || base.startsWith('.') ? `file${base.startsWith('.') ? base : ''}` : base;
}

/** One line from any error: first line of its message, with its code when it has one. */
export function oneLine(err: unknown): string {
  if (err instanceof Error) {
    const msg = (err.message || err.name || 'unknown error').split('\n')[0].trim();
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !msg.includes(code) ? `${code}: ${msg}` : msg;
  }
  return String(err).split('\n')[0];
}

export function isAbort(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return err instanceof Error && (err.name === 'AbortError' || (err as { code?: unknown }).code === 'ABORT_ERR');
}

/**
 * Wraps a put body so that an error the body itself raises (a torn
 * checkpoint file, a failed read) can be told apart from a storage error and
 * rethrown unchanged: `failure()` returns it.
 */
export function guardBody(body: AsyncIterable<Uint8Array>): { iter: AsyncIterable<Uint8Array>; failure(): unknown } {
  let failure: unknown;
  const iter = (async function* () {
    try {
      yield* body;
    } catch (err) {
      failure = err ?? new Error('body failed');
      throw err;
    }
  })();
  return { iter, failure: () => failure };
}
