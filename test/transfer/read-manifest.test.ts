import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SiteError, type StagingSite } from '../../src/staging/index.js';
import { readManifest } from '../../src/transfer/read-manifest.js';

/** A site that holds one object, or a generated body, at any key. */
function siteWith(body: (() => Readable) | undefined): StagingSite & { destroyed: () => boolean } {
  let stream: Readable | undefined;
  return {
    describe: (key: string) => `mem://t/${key}`,
    get: async (key: string) => {
      if (!body) throw new SiteError('missing', `mem://t/${key}: no such object`);
      return (stream = body());
    },
    destroyed: () => stream?.destroyed ?? false,
  } as unknown as StagingSite & { destroyed: () => boolean };
}

describe("a generation's manifest", () => {
  it('missing or malformed: a VerifyError naming it', async () => {
    await expect(readManifest(siteWith(undefined), 'job', 3)).rejects.toMatchObject({ name: 'VerifyError', message: 'mem://t/job/gen-000003.manifest.json: no such object' });
    await expect(readManifest(siteWith(() => Readable.from([Buffer.from('{not json')])), 'job', 3)).rejects.toMatchObject({
      name: 'VerifyError',
      message: expect.stringMatching(/^mem:\/\/t\/job\/gen-000003\.manifest\.json: /),
    });
  });

  it('larger than 64 MiB: refused before it is read whole', async () => {
    let sent = 0;
    const endless = () =>
      new Readable({
        read() {
          sent += 1 << 20;
          this.push(Buffer.alloc(1 << 20, 0x20));
        },
      });
    const site = siteWith(endless);
    await expect(readManifest(site, 'job', 1)).rejects.toMatchObject({ name: 'VerifyError', message: 'mem://t/job/gen-000001.manifest.json: manifest larger than 67108864 bytes' });
    expect(site.destroyed()).toBe(true);
    expect(sent).toBeLessThan(70 << 20);
  });
});
