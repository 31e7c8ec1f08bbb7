import type { FileHandle } from 'node:fs/promises';

/** Bytes per read: large enough that per-call costs vanish, small enough to keep memory flat. */
export const CHUNK = 4 << 20;

/** Where readAhead reads into: buffers of `size` bytes, one per read. */
export interface ReadBuffers {
  readonly size: number;
  /** A buffer of `want` bytes to read into. */
  take(want: number): Buffer;
}

/**
 * Three read buffers used in turn. A fresh 4 MiB buffer per read costs a
 * page fault per 4 KiB and is freed only when V8 next collects (after some
 * 64 MiB of them), which puts RSS 40-60 MB above need during a large file.
 * Three slots suffice when the consumer is done with chunk N-1 by the time
 * it asks for chunk N+1: chunk N is then being written, N+1 read into the
 * second slot, and N+2's read takes the first slot back.
 */
export class ChunkRing implements ReadBuffers {
  private readonly slots: Buffer[] = [];
  private turn = 0;
  constructor(readonly size = CHUNK) {}

  /** The next slot, at least `want` bytes (allocated on first use, then reused). */
  take(want: number): Buffer {
    const i = this.turn;
    this.turn = (i + 1) % 3;
    let b = this.slots[i];
    if (!b || b.length < want) b = this.slots[i] = Buffer.allocUnsafe(Math.max(want, this.size));
    return b.subarray(0, want);
  }
}

/**
 * Read buffers that come back when their consumer says it is done with them,
 * for one that keeps chunks for a while it cannot bound in reads (a chunked
 * stage-out: views of a read buffer wait in puts until written, and a chunk
 * may span two buffers). A buffer is read into again only once given back;
 * with none free a new one is made, so a slow consumer costs memory, never
 * a wait. Reused buffers spare the page faults of fresh ones and the RSS of
 * those waiting for V8 to collect them.
 */
export class BufferPool implements ReadBuffers {
  private readonly made = new Map<ArrayBufferLike, Buffer>();
  private readonly free = new Set<Buffer>();
  constructor(readonly size = CHUNK) {}

  take(want: number): Buffer {
    if (want > this.size) return Buffer.allocUnsafe(want);
    let b: Buffer | undefined = this.free.values().next().value;
    if (b) this.free.delete(b);
    else {
      // Slow: a buffer of its own, never a slice of Node's shared pool.
      b = Buffer.allocUnsafeSlow(this.size);
      this.made.set(b.buffer, b);
    }
    return b.subarray(0, want);
  }

  /** Gives back the buffer `view` is a view of; views of anything else are ignored. */
  give(view: Uint8Array): void {
    const b = this.made.get(view.buffer);
    if (b) this.free.add(b);
  }
}

const spares: ChunkRing[] = [];

/**
 * A ring from the process's spares, or a new one. A stage-in followed by a
 * stage-out (or the next task of a batch) then reads into the same 12 MiB
 * instead of a fresh set while the last one waits for V8 to collect it,
 * which would count twice in the peak RSS. Rings are never shared: each is
 * lent to one transfer at a time.
 */
export function borrowRing(): ChunkRing {
  return spares.pop() ?? new ChunkRing();
}

/** Gives a ring back once nothing reads its chunks any more. */
export function returnRing(r: ChunkRing): void {
  if (spares.length < 2 && !spares.includes(r)) spares.push(r);
}

export interface ReadAheadOptions {
  /** Bytes to read in all; default: to EOF. */
  size?: number;
  chunkSize?: number;
  /**
   * Read into these buffers (a ChunkRing: each yielded chunk is valid only
   * until the consumer asks for the one after the next; a BufferPool: until
   * given back). Default: a fresh buffer per chunk.
   */
  ring?: ReadBuffers;
  signal?: AbortSignal;
}

/**
 * Yields a file's bytes from offset 0, with the next read already in flight
 * while the consumer handles the current chunk. Leaves the handle open; no
 * read is left running when it returns or throws.
 */
export async function* readAhead(fh: FileHandle, o: ReadAheadOptions = {}): AsyncGenerator<Buffer> {
  const chunk = o.ring?.size ?? o.chunkSize ?? CHUNK;
  const readAt = async (at: number): Promise<Buffer> => {
    const want = o.size !== undefined ? Math.min(chunk, o.size - at) : chunk;
    if (want <= 0) return Buffer.alloc(0);
    const buf = o.ring ? o.ring.take(want) : Buffer.allocUnsafe(want);
    const { bytesRead } = await fh.read(buf, 0, want, at);
    return bytesRead === want ? buf : buf.subarray(0, bytesRead);
  };
  let pos = 0;
  let next: Promise<Buffer> | undefined = readAt(0);
  try {
    for (;;) {
      const buf: Buffer = await next;
      next = undefined;
      if (buf.length === 0) return;
      pos += buf.length;
      o.signal?.throwIfAborted();
      next = readAt(pos);
      next.catch(() => {});
      yield buf;
    }
  } finally {
    if (next) await next.catch(() => {});
  }
}
