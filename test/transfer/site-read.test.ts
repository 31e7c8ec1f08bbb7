import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SiteError, type StagingSite } from '../../src/staging/index.js';
import { getOrVerifyError, guarded, orVerifyError } from '../../src/transfer/site-read.js';
import { VerifyError } from '../../src/transfer/verify-error.js';

async function drain(it: AsyncIterable<Buffer>): Promise<number> {
  let n = 0;
  for await (const c of it) n += c.length;
  return n;
}

describe("a generation's objects read from a site", () => {
  it('guarded counts the bytes as they pass', async () => {
    const seen: number[] = [];
    expect(await drain(guarded(Readable.from([Buffer.alloc(3), Buffer.alloc(4)]), 'w', (n) => seen.push(n)))).toBe(7);
    expect(seen).toEqual([3, 4]);
  });

  it('a failure while the bytes arrive is a retryable SiteError naming the object; verify and site errors pass as they are', async () => {
    const failing = (err: Error) =>
      (async function* () {
        yield Buffer.alloc(1);
        throw err;
      })();
    await expect(drain(guarded(failing(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), 's3://b/p/x', () => {}))).rejects.toMatchObject({
      name: 'SiteError',
      kind: 'retryable',
      message: 's3://b/p/x: ECONNRESET: socket hang up',
    });
    const bad = new VerifyError('bad chunk');
    await expect(drain(guarded(failing(bad), 'w', () => {}))).rejects.toBe(bad);
    const fatal = new SiteError('fatal', 'denied');
    await expect(drain(guarded(failing(fatal), 'w', () => {}))).rejects.toBe(fatal);
  });

  it('a missing object makes the generation bad (VerifyError), not the site', async () => {
    await expect(orVerifyError(() => Promise.reject(new SiteError('missing', 'x: no such object')))).rejects.toMatchObject({ name: 'VerifyError', message: 'x: no such object' });
    const retry = new SiteError('retryable', 'timeout');
    await expect(orVerifyError(() => Promise.reject(retry))).rejects.toBe(retry);
  });

  it('ring chunks where the site has them and they are asked for, else a stream', async () => {
    const calls: string[] = [];
    const site = {
      get: async (key: string) => (calls.push(`get ${key}`), Readable.from([])),
      getChunks: async (key: string) => (calls.push(`chunks ${key}`), { [Symbol.asyncIterator]: async function* () {}, destroy() {} }),
    } as unknown as StagingSite;
    await getOrVerifyError(site, 'a');
    await getOrVerifyError(site, 'b', undefined, true);
    expect(calls).toEqual(['get a', 'chunks b']);
  });
});
