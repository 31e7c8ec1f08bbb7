import type { S3Client } from '@aws-sdk/client-s3';

/**
 * Streaming upload of one object: a single PUT when the body fits one part,
 * else a multipart upload that is completed only when every part is stored
 * (so the object is never visible half-written) and is aborted, awaited,
 * when anything fails. Parts are copied into a small pool of reused buffers:
 * fresh memory costs a page fault per page on a VM, and the SDK's own Upload
 * allocates (and concatenates) anew for every part.
 */
export interface UploadTarget {
  client: S3Client;
  sdk: typeof import('@aws-sdk/client-s3');
  bucket: string;
  key: string;
  /** Size of the first 1000 parts; see partSize(). */
  partSize: number;
  /** Parts in flight at once. */
  queueSize: number;
  signal?: AbortSignal;
  /** How long aborting a failed multipart upload may take. */
  abortMs: number;
}

/** S3 allows 10 000 parts: the part size doubles every 1000 parts (8 MiB base: ~8 TiB in all). */
export const PARTS_PER_STEP = 1000;

/** Pure: the size of part `index` (0-based). */
export function partSize(base: number, index: number): number {
  return base * 2 ** Math.floor(index / PARTS_PER_STEP);
}

export interface Part {
  /** The pooled buffer the bytes are in (give it back once sent). */
  buf: Buffer;
  data: Buffer;
  last: boolean;
}

/**
 * Cuts a stream of chunks into parts of partSize(base, i) bytes, the last one
 * shorter (or empty for an empty body). A full part is held back until the
 * next byte shows whether it is the last: an upload of exactly one part must
 * be a single PUT.
 */
export async function* cutParts(body: AsyncIterable<Uint8Array>, base: number, take: (size: number) => Promise<Buffer>): AsyncGenerator<Part> {
  let index = 0;
  let cur: Buffer | undefined;
  let fill = 0;
  let size = 0;
  let held: Part | undefined;
  for await (const chunk of body) {
    let off = 0;
    while (off < chunk.byteLength) {
      if (!cur) {
        if (held) yield held;
        held = undefined;
        size = partSize(base, index++);
        cur = await take(size);
        fill = 0;
      }
      const n = Math.min(size - fill, chunk.byteLength - off);
      cur.set(chunk.subarray(off, off + n), fill);
      fill += n;
      off += n;
      if (fill === size) {
        held = { buf: cur, data: cur.subarray(0, size), last: false };
        cur = undefined;
      }
    }
  }
  if (held) yield { ...held, last: !cur };
  if (cur) yield { buf: cur, data: cur.subarray(0, fill), last: true };
  if (!held && !cur) {
    const empty = Buffer.alloc(0);
    yield { buf: empty, data: empty, last: true };
  }
}

/** A bounded pool: at most `limit` buffers exist; take() waits for one to come back. */
function bufferPool(limit: number) {
  const free: Buffer[] = [];
  const waiting: (() => void)[] = [];
  let made = 0;
  return {
    async take(size: number): Promise<Buffer> {
      for (;;) {
        const i = free.findIndex((b) => b.length >= size);
        if (i >= 0) return free.splice(i, 1)[0];
        if (free.length > 0 && made >= limit) {
          free.pop(); // too small for the parts to come: let it go
          made--;
        }
        if (made < limit) {
          made++;
          return Buffer.allocUnsafeSlow(size);
        }
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
    },
    give(b: Buffer): void {
      if (b.length === 0) return;
      free.push(b);
      waiting.shift()?.();
    },
  };
}

/** Stores `body` under the target key; rejects with the body's or the server's error after cleaning up. */
export async function uploadObject(t: UploadTarget, body: AsyncIterable<Uint8Array>): Promise<void> {
  const { client, sdk, bucket, key } = t;
  const opts = { abortSignal: t.signal };
  // queueSize parts in flight, one being filled, one held back.
  const pool = bufferPool(t.queueSize + 2);
  const inflight = new Set<Promise<void>>();
  const stored: { PartNumber: number; ETag: string }[] = [];
  let uploadId: string | undefined;
  let failure: { err: unknown } | undefined;
  try {
    let n = 0;
    for await (const part of cutParts(body, t.partSize, (size) => pool.take(size))) {
      if (failure) break;
      if (part.last && n === 0) {
        try {
          await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: part.data }), opts);
        } finally {
          pool.give(part.buf);
        }
        return;
      }
      if (!uploadId) {
        const created = await client.send(new sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key }), opts);
        if (!created.UploadId) throw new Error('CreateMultipartUpload returned no UploadId');
        uploadId = created.UploadId;
      }
      const PartNumber = ++n;
      const sent: Promise<void> = client
        .send(new sdk.UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber, Body: part.data }), opts)
        .then((r) => {
          if (!r.ETag) throw new Error(`part ${PartNumber}: the server returned no ETag`);
          stored.push({ PartNumber, ETag: r.ETag });
        })
        .catch((err: unknown) => {
          failure ??= { err };
        })
        .finally(() => {
          pool.give(part.buf);
          inflight.delete(sent);
        });
      inflight.add(sent);
    }
    await Promise.all(inflight);
    if (failure) throw failure.err;
    stored.sort((a, b) => a.PartNumber - b.PartNumber);
    await client.send(
      new sdk.CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: stored } }),
      opts,
    );
  } catch (err) {
    // Parts still in flight would land after an abort; let them settle first
    // (an abort signal cuts them short anyway).
    await Promise.allSettled([...inflight]);
    if (uploadId) await abortUpload(t, uploadId);
    throw err;
  }
}

/** Best effort, bounded in time: what it cannot remove, the next stage-out's pruning finds. */
async function abortUpload(t: UploadTarget, uploadId: string): Promise<void> {
  try {
    await t.client.send(new t.sdk.AbortMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, UploadId: uploadId }), {
      abortSignal: AbortSignal.timeout(t.abortMs),
    });
  } catch {
    /* NoSuchUpload, or the server is gone: pruning will see it */
  }
}
