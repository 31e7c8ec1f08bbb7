import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, S3Client } from '@aws-sdk/client-s3';
import { stageIn, stageOut } from '../../src/transfer/index.js';
import { proxy } from '../helpers/s3-proxy.js';
import { bundle, freshStaging, listKeys, options, runNode, workdir, type Staging } from '../transfer/helpers.js';

/**
 * What only S3 has: multipart uploads. Large checkpoints go up in parts; an
 * upload that fails in-process is aborted at once, and one whose process was
 * killed -9 (so nobody could abort it) is found and aborted by the next
 * stage-out. The server is inspected with the SDK directly, never through
 * the code under test.
 */
const SIZE = 40 << 20; // 5 parts of 8 MiB, and the 3-byte tag in a sixth
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const bucket = process.env.S3_BUCKET!;
let s3: S3Client;
let child = '';

beforeAll(async () => {
  // Node 20 is supported; the SDK's notice about newer Nodes is noise in test output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  s3 = new S3Client({ endpoint: process.env.S3_ENDPOINT, forcePathStyle: true, region: process.env.AWS_REGION || 'us-east-1' });
  child = await bundle('test/transfer/fixtures/stage-out-child.ts');
});
afterAll(() => s3?.destroy());

// Multipart uploads belong to the one-object layout (layout: 'object'): chunks
// (at most 4 MiB) are single PUTs.
const objectOptions = (cwd: string, s: Staging, more: Parameters<typeof options>[2]) => options(cwd, s, { layout: 'object', ...more });
const prefixOf = (s: Staging) => new URL(s.url).pathname.slice(1) + '/';

async function openUploads(s: Staging): Promise<{ Key: string; UploadId: string; parts: number }[]> {
  const res = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefixOf(s) }));
  const out = [];
  for (const u of res.Uploads ?? []) {
    const parts = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! }));
    out.push({ Key: u.Key!, UploadId: u.UploadId!, parts: parts.Parts?.length ?? 0 });
  }
  return out;
}

/** Polls until a multipart upload below the staging prefix exists (with `parts` stored parts or more). */
async function uploadOpen(s: Staging, parts: number, timeoutMs = 60_000): Promise<boolean> {
  for (const t0 = Date.now(); Date.now() - t0 < timeoutMs; await sleep(50)) {
    if ((await openUploads(s)).some((u) => u.parts >= parts)) return true;
  }
  return false;
}

function bigCheckpoint(dir: string, tag: string): string {
  const data = Buffer.concat([Buffer.from(tag), randomBytes(SIZE)]);
  writeFileSync(path.join(dir, 'big.ckpt'), data);
  return sha(data);
}

describe('S3 multipart uploads', () => {
  it('a large checkpoint is stored as a multipart object and comes back verified', async () => {
    const staging = freshStaging();
    const a = workdir();
    const want = bigCheckpoint(a, 'one');
    const r = await stageOut(objectOptions(a, staging, { checkpoints: ['big.ckpt'] }));
    expect(r.result).toBe('ok');
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefixOf(staging)}job-1/gen-000001/big.ckpt` }));
    // A multipart object's ETag is "<md5 of part md5s>-<number of parts>".
    expect(head.ETag).toMatch(/-6"$/);
    expect(head.ContentLength).toBe(SIZE + 3);
    const b = workdir();
    expect((await stageIn(options(b, staging))).result).toBe('ok');
    expect(sha(readFileSync(path.join(b, 'big.ckpt')))).toBe(want);
  });

  it('an upload that fails in the process is aborted at once: no parts stay behind', async () => {
    const staging = freshStaging();
    const a = workdir();
    bigCheckpoint(a, 'one');
    const abort = new AbortController();
    // Aborted as soon as the multipart upload exists: its parts are still in
    // flight (a 4 MiB/s proxy keeps them so on a fast machine too).
    const watcher = uploadOpen(staging, 0).then((seen) => {
      abort.abort();
      return seen;
    });
    const slow = await proxy(Number(new URL(process.env.S3_ENDPOINT!).port), 'slow', 4 << 20);
    const r = await stageOut({ ...objectOptions(a, staging, { checkpoints: ['big.ckpt'], signal: abort.signal }), site: { s3Endpoint: `http://127.0.0.1:${slow.port}` } });
    await slow.close();
    expect(await watcher).toBe(true);
    expect(r.result).toBe('failed');
    expect(r.error).toMatch(/aborted/);
    expect(await openUploads(staging)).toEqual([]);
    expect(await listKeys(staging)).toEqual([]);
  });

  it('kill -9 with parts stored: the upload is left open, stage-in ignores it, the next stage-out aborts it', async () => {
    const staging = freshStaging();
    const a = workdir();
    const one = bigCheckpoint(a, 'one');
    expect((await stageOut(objectOptions(a, staging, { checkpoints: ['big.ckpt'], keep: 1 }))).result).toBe('ok');
    const two = bigCheckpoint(a, 'two');

    // The killed upload goes through a proxy at 4 MiB/s a connection, so it is
    // still far from done when its first part is stored, however fast the machine.
    const slow = await proxy(Number(new URL(process.env.S3_ENDPOINT!).port), 'slow', 4 << 20);
    const o = { ...objectOptions(a, staging, { checkpoints: ['big.ckpt'], keep: 1 }), site: { s3Endpoint: `http://127.0.0.1:${slow.port}` }, direction: 'out' };
    let kill: (() => void) | undefined;
    const ran = runNode(child, [JSON.stringify(o)], { timeoutMs: 120_000, onLine: (_l, k) => (kill = k) });
    const seen = await uploadOpen(staging, 1);
    kill?.();
    expect(seen).toBe(true);
    expect((await ran).signal).toBe('SIGKILL');
    await slow.close();

    const left = await openUploads(staging);
    expect(left.map((u) => u.Key)).toEqual([`${prefixOf(staging)}job-1/gen-000002/big.ckpt`]);
    expect((await listKeys(staging)).filter((e) => e.partial).map((e) => e.key)).toEqual(['job-1/gen-000002/big.ckpt']);
    const b = workdir();
    expect(await stageIn(options(b, staging))).toMatchObject({ result: 'ok', generation: 1 });
    expect(sha(readFileSync(path.join(b, 'big.ckpt')))).toBe(one);

    // The next stage-out numbers past the leftover and aborts it while pruning.
    const r = await stageOut(objectOptions(a, staging, { checkpoints: ['big.ckpt'], keep: 1 }));
    expect(r).toMatchObject({ result: 'ok', generation: 3 });
    expect(await openUploads(staging)).toEqual([]);
    expect((await listKeys(staging)).map((e) => e.key)).toEqual(['job-1/gen-000003.manifest.json', 'job-1/gen-000003/big.ckpt']);
    const c = workdir();
    expect((await stageIn(options(c, staging))).generation).toBe(3);
    expect(sha(readFileSync(path.join(c, 'big.ckpt')))).toBe(two);
  });
});
