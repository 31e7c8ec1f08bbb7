import type { Readable } from 'node:stream';
import { SiteError, oneLine, type ChunkSource, type StagingSite } from '../staging/index.js';
import { ArchiveError } from './archive.js';
import { VerifyError } from './verify-error.js';

/**
 * Reading a generation's objects from a staging site, with its failures
 * sorted: a missing object makes the generation bad (VerifyError: roll
 * back), a failure while the bytes arrive is the site's (a retryable
 * SiteError naming the URL).
 */

/** The object's chunks; a failure while they arrive is a (retryable) site error, with the URL. */
export async function* guarded(stream: AsyncIterable<unknown>, where: string, count: (n: number) => void): AsyncGenerator<Buffer> {
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

export function getOrVerifyError(site: StagingSite, key: string, signal?: AbortSignal, ring = false): Promise<Readable | ChunkSource> {
  return orVerifyError<Readable | ChunkSource>(() => (ring && site.getChunks ? site.getChunks(key, { signal }) : site.get(key, { signal })));
}

/** A missing object makes the generation bad (roll back), not the site. */
export async function orVerifyError<T>(open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    if (err instanceof SiteError && err.kind === 'missing') throw new VerifyError(err.message);
    throw err;
  }
}
