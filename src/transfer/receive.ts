import { promises as fsp, constants as fsc } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { ManifestEntry } from './manifest.js';
import { VerifyError } from './verify-error.js';

/**
 * Hashes a file's bytes as they arrive, writing them when a destination is
 * given: one write in flight, and what arrives meanwhile goes out with the
 * next one as a single writev (network bodies come in 16-64 KiB chunks; a
 * write each would cost a thread-pool round trip each). Past `maxBatch`
 * bytes waiting, it waits for the write in flight; 0: every chunk is written
 * before the next is asked for, as ring chunks need.
 */
export async function receive(body: AsyncIterable<Buffer>, dest: string | undefined, e: ManifestEntry, where: string, maxBatch: number): Promise<void> {
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

/** Bytes that may wait for the write in flight (network bodies). */
export const MAX_BATCH = 8 << 20;

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
