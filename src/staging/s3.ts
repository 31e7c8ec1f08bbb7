import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { classify, errorName } from './s3-errors.js';
import { uploadObject } from './s3-upload.js';
import { SiteError, checkKey, guardBody, type SiteCallOptions, type SiteEntry, type StagingSite } from './site.js';

export interface S3SiteOptions {
  bucket: string;
  /** Key prefix below the bucket, without leading or trailing '/'; may be ''. */
  prefix: string;
  /** Custom endpoint (Ceph RGW, MinIO...): path-style addressing is used. */
  endpoint?: string;
  region?: string;
  /** Size of the first 1000 multipart parts (doubling after); (queueSize + 2) part buffers at most. */
  partSize?: number;
  queueSize?: number;
}

// 8 MiB parts, 4 in flight: at most 6 part buffers (48 MiB), reused.
const PART_SIZE = 8 << 20;
const QUEUE_SIZE = 4;
/** How long an aborted put may spend aborting its multipart upload. */
const ABORT_UPLOAD_MS = 10_000;

type Sdk = { s3: typeof import('@aws-sdk/client-s3') };
let sdk: Promise<Sdk> | undefined;
/** The SDK is loaded on first use only: file:// transfers never pay for it. */
function loadSdk(): Promise<Sdk> {
  return (sdk ??= import('@aws-sdk/client-s3').then((s3) => ({ s3 })));
}

/**
 * s3://bucket/prefix through @aws-sdk/client-s3 v3. Bodies go up through
 * uploadObject (s3-upload.ts): one PUT when they fit a part, else a multipart
 * upload that becomes visible only when completed, and is aborted when it fails.
 * Credentials come from the standard AWS chain and are never put in messages.
 * The SDK's own retries are off (maxAttempts 1): the transfer step retries.
 */
export function openS3Site(url: string, o: S3SiteOptions): StagingSite {
  const endpoint = o.endpoint || undefined;
  let made: S3Client | undefined;
  let ready: Promise<{ client: S3Client; sdk: Sdk }> | undefined;
  const init = () =>
    (ready ??= loadSdk().then((m) => {
      // Node 20 is supported (engines >= 20); keep the SDK's "upgrade Node"
      // notice out of job logs without leaking the setting into the job's env.
      const quiet = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
      const before = process.env[quiet];
      process.env[quiet] = 'true';
      try {
        made = new m.s3.S3Client(config);
      } finally {
        if (before === undefined) delete process.env[quiet];
        else process.env[quiet] = before;
      }
      return { client: made, sdk: m };
    }));
  const config = {
    region: o.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    maxAttempts: 1,
    // We hash every byte with SHA-256 ourselves; CRC trailers also trip up
    // some S3-compatible servers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
  } as const;
  const bucket = o.bucket;
  const full = (key: string) => (o.prefix ? `${o.prefix}/${checkKey(key)}` : checkKey(key));
  const rel = (key: string) => (o.prefix ? key.slice(o.prefix.length + 1) : key);
  const describe = (key: string) => `${url.replace(/\/+$/, '')}/${key}`;

  async function put(key: string, body: AsyncIterable<Uint8Array>, c: SiteCallOptions = {}): Promise<number> {
    let bytes = 0;
    const guarded = guardBody(body);
    const counted = (async function* () {
      for await (const chunk of guarded.iter) {
        bytes += chunk.byteLength;
        c.onBytes?.(chunk.byteLength);
        yield chunk;
      }
    })();
    try {
      const { client, sdk } = await init();
      await uploadObject(
        { client, sdk: sdk.s3, bucket, key: full(key), partSize: o.partSize ?? PART_SIZE, queueSize: o.queueSize ?? QUEUE_SIZE, signal: c.signal, abortMs: ABORT_UPLOAD_MS },
        counted,
      );
      return bytes;
    } catch (err) {
      // An error thrown by the body (a torn file, say) is the real cause.
      if (guarded.failure() !== undefined) throw guarded.failure();
      throw classify(err, bucket, describe(key), c.signal, 'put');
    }
  }

  async function get(key: string, c: SiteCallOptions = {}): Promise<Readable> {
    try {
      const { client, sdk } = await init();
      const res = await client.send(new sdk.s3.GetObjectCommand({ Bucket: bucket, Key: full(key) }), { abortSignal: c.signal });
      const body = res.Body as Readable | undefined;
      if (!body) throw new SiteError('missing', `${describe(key)}: empty response`);
      if (c.onBytes) body.on('data', (chunk: Buffer) => c.onBytes!(chunk.length));
      return body;
    } catch (err) {
      throw classify(err, bucket, describe(key), c.signal, 'get');
    }
  }

  async function list(prefix: string, c: SiteCallOptions = {}): Promise<SiteEntry[]> {
    const p = o.prefix ? `${o.prefix}/${prefix}` : prefix;
    const opts = { abortSignal: c.signal };
    try {
      const { client, sdk } = await init();
      // Objects and open uploads are listed side by side: one round trip, not two.
      const objects = async (): Promise<SiteEntry[]> => {
        const out: SiteEntry[] = [];
        let token: string | undefined;
        do {
          const res = await client.send(new sdk.s3.ListObjectsV2Command({ Bucket: bucket, Prefix: p, ContinuationToken: token }), opts);
          for (const it of res.Contents ?? []) {
            if (it.Key) out.push({ key: rel(it.Key), size: it.Size ?? 0, mtimeMs: it.LastModified?.getTime() ?? 0 });
          }
          token = res.IsTruncated ? res.NextContinuationToken : undefined;
        } while (token);
        return out;
      };
      const uploads = async (): Promise<SiteEntry[]> => {
        const out: SiteEntry[] = [];
        let keyMarker: string | undefined;
        let idMarker: string | undefined;
        do {
          const res = await client.send(
            new sdk.s3.ListMultipartUploadsCommand({ Bucket: bucket, Prefix: p, KeyMarker: keyMarker, UploadIdMarker: idMarker }),
            opts,
          );
          for (const u of res.Uploads ?? []) {
            if (u.Key && u.UploadId) out.push({ key: rel(u.Key), size: 0, mtimeMs: u.Initiated?.getTime() ?? 0, partial: true, ref: u.UploadId });
          }
          const more = res.IsTruncated;
          keyMarker = more ? res.NextKeyMarker : undefined;
          idMarker = more ? res.NextUploadIdMarker : undefined;
        } while (keyMarker);
        return out;
      };
      const [a, b] = await Promise.all([objects(), uploads()]);
      return [...a, ...b].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    } catch (err) {
      throw classify(err, bucket, describe(prefix), c.signal, 'list');
    }
  }

  async function remove(entries: SiteEntry[], c: SiteCallOptions = {}): Promise<void> {
    const objects = entries.filter((e) => !e.partial);
    const uploads = entries.filter((e) => e.partial && e.ref);
    try {
      const { client, sdk } = await init();
      for (let i = 0; i < objects.length; i += 1000) {
        const batch = objects.slice(i, i + 1000);
        const res = await client.send(
          new sdk.s3.DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: batch.map((e) => ({ Key: full(e.key) })), Quiet: true },
          }),
          { abortSignal: c.signal },
        );
        const bad = (res.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
        if (bad.length > 0) {
          throw new SiteError('retryable', `delete ${describe(rel(bad[0].Key ?? ''))}: ${bad[0].Code}: ${bad[0].Message ?? ''}`);
        }
      }
      for (const u of uploads) {
        await client
          .send(new sdk.s3.AbortMultipartUploadCommand({ Bucket: bucket, Key: full(u.key), UploadId: u.ref }), { abortSignal: c.signal })
          .catch((err) => {
            if (errorName(err) !== 'NoSuchUpload') throw err;
          });
      }
    } catch (err) {
      throw classify(err, bucket, describe(entries[0]?.key ?? ''), c.signal, 'remove');
    }
  }

  async function publish(key: string, data: Uint8Array, c: SiteCallOptions = {}): Promise<void> {
    // A single PUT is atomic in S3: readers see no object or the whole one.
    try {
      const { client, sdk } = await init();
      await client.send(
        new sdk.s3.PutObjectCommand({ Bucket: bucket, Key: full(key), Body: data, ContentType: 'application/json' }),
        { abortSignal: c.signal },
      );
    } catch (err) {
      throw classify(err, bucket, describe(key), c.signal, 'put');
    }
  }

  return { url, put, get, list, remove, publish, describe, close: () => made?.destroy() };
}
