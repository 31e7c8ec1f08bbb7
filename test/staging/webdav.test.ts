import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { davAuth } from '../../src/staging/webdav-proto.js';
import { chunks, davSite, env, serverSideRoundTrip } from './servers.js';

describe('davs:// against a real nginx WebDAV', () => {
  it('PUTs to a temp name and MOVEs it into place, reads back, lists with PROPFIND, DELETEs with the empty folders', async () => {
    const { site, localDir } = davSite();
    try {
      await serverSideRoundTrip(site, localDir, 'gen-1/sub/a b%.bin');
    } finally {
      site.close();
    }
  });

  it('a refused password is fatal, names where the credentials came from, and never shows them', async () => {
    const secret = `wrong-${randomBytes(6).toString('hex')}`;
    const auth = davAuth('127.0.0.1', { KICKSTART_WEBDAV_USER: env('DAV_USER'), KICKSTART_WEBDAV_PASSWORD: secret });
    const { site } = davSite({ auth });
    try {
      const err = (await site.put('x', chunks(Buffer.from('x'))).then(() => undefined, (e: unknown) => e)) as Error & { kind: string };
      expect(err.kind).toBe('fatal');
      expect(err.message).toMatch(/HTTP 401 \(the credentials from KICKSTART_WEBDAV_USER\/KICKSTART_WEBDAV_PASSWORD were refused\)/);
      expect(JSON.stringify({ m: err.message, s: err.stack })).not.toContain(secret);
      expect(err.message).not.toContain(Buffer.from(`${env('DAV_USER')}:${secret}`).toString('base64'));
    } finally {
      site.close();
    }
  });

  it('reads the account from a netrc file', async () => {
    const netrc = { file: '/x/netrc', text: `machine other login a password b\nmachine 127.0.0.1\n  login ${env('DAV_USER')}\n  password ${env('DAV_PASSWORD')}\n` };
    const auth = davAuth('127.0.0.1', {}, netrc);
    expect(auth.source).toBe('netrc /x/netrc');
    const { site } = davSite({ auth });
    try {
      await site.publish('n.json', Buffer.from('{}'));
      expect((await site.list('')).map((e) => e.key)).toEqual(['n.json']);
    } finally {
      site.close();
    }
  });

  it('refuses a certificate it cannot verify, with --ca-file as the fix', async () => {
    const { site } = davSite({ ca: undefined });
    try {
      await expect(site.list('')).rejects.toMatchObject({ kind: 'fatal', message: expect.stringMatching(/TLS certificate not trusted .*--ca-file FILE/) });
    } finally {
      site.close();
    }
  });
});
