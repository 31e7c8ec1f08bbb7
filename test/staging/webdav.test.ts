import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { davAuth } from '../../src/staging/webdav-proto.js';
import { chunks, davSite, env, read, sha } from './servers.js';


describe('davs:// against a real nginx WebDAV', () => {
  it('PUTs to a temp name and MOVEs it into place, reads back, lists with PROPFIND, DELETEs with the empty folders', async () => {
    const { site, localDir } = davSite();
    try {
      const data = randomBytes((5 << 20) + 321);
      expect(await site.put('gen-1/sub/a b%.bin', chunks(data))).toBe(data.length);
      expect(sha(await read(site, 'gen-1/sub/a b%.bin'))).toBe(sha(data));
      expect(readdirSync(path.join(localDir, 'gen-1/sub'))).toEqual(['a b%.bin']);
      await site.publish('gen-1/manifest.json', Buffer.from('{"v":1}'));
      await site.publish('gen-1/manifest.json', Buffer.from('{"v":2}'));
      expect(readFileSync(path.join(localDir, 'gen-1/manifest.json'), 'utf8')).toBe('{"v":2}');
      writeFileSync(path.join(localDir, 'gen-1', 'b.bin.tmp-0123456789ab'), 'torn');
      const listed = await site.list('gen-1/');
      expect(listed.map((e) => [e.key, e.size, !!e.partial])).toEqual([
        ['gen-1/b.bin.tmp-0123456789ab', 4, true],
        ['gen-1/manifest.json', 7, false],
        ['gen-1/sub/a b%.bin', data.length, false],
      ]);
      expect(listed[1].mtimeMs).toBeGreaterThan(Date.now() - 600_000);
      expect(await site.list('gen-1/m')).toHaveLength(1);
      await site.remove(listed);
      expect(await site.list('')).toEqual([]);
      expect(existsSync(path.join(localDir, 'gen-1'))).toBe(false);
      await expect(site.get('gen-1/manifest.json')).rejects.toMatchObject({ kind: 'missing' });
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
