import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { StagingSite } from '../../src/staging/site.js';
import { openSftpSite, type SftpSiteOptions } from '../../src/staging/sftp.js';
import { openDavSite, type DavSiteOptions } from '../../src/staging/webdav.js';
import { davAuth } from '../../src/staging/webdav-proto.js';

/** The servers test/staging/global-setup.ts started (env SFTP_*, DAV_*). */
export function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run under the staging-sftp or staging-dav project (test/staging/global-setup.ts)`);
  return v;
}

export const unique = () => `t-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

/** An sftp site at a fresh folder below the server's data dir. */
export function sftpSite(more: Partial<SftpSiteOptions> = {}, folder = unique()) {
  const root = `${env('SFTP_ROOT_PATH')}/${folder}`;
  const url = `sftp://${env('SFTP_USER')}@127.0.0.1:${env('SFTP_PORT')}${root}`;
  const o: SftpSiteOptions = { host: '127.0.0.1', port: Number(env('SFTP_PORT')), user: env('SFTP_USER'), root, keyFile: env('SFTP_KEY'), knownHosts: env('SFTP_KNOWN_HOSTS'), ...more };
  return { site: openSftpSite(url, o), url, localDir: `${env('SFTP_ROOT_DIR')}/${folder}` };
}

/** A WebDAV site at a fresh collection, with the server's basic-auth account. */
export function davSite(more: Partial<DavSiteOptions> = {}, folder = unique()) {
  const url = `davs://127.0.0.1:${env('DAV_PORT')}/${folder}`;
  const auth = davAuth('127.0.0.1', { KICKSTART_WEBDAV_USER: env('DAV_USER'), KICKSTART_WEBDAV_PASSWORD: env('DAV_PASSWORD') });
  const o: DavSiteOptions = { secure: true, host: '127.0.0.1', port: Number(env('DAV_PORT')), root: `/${folder}`, auth, ca: readFileSync(env('DAV_CA_FILE'), 'utf8'), ...more };
  return { site: openDavSite(url, o), url, localDir: `${env('DAV_ROOT_DIR')}/${folder}` };
}

export async function* chunks(buf: Buffer, size = 1 << 20) {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

export async function read(s: { get(k: string): Promise<NodeJS.ReadableStream> }, key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of await s.get(key)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

export const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * What a put, a publish, a leftover and a remove look like on the server's
 * own disk (`localDir` is the site's folder there): the object under its
 * name only, the manifest replaced whole, a temp name listed as partial,
 * the emptied folders gone.
 */
export async function serverSideRoundTrip(site: StagingSite, localDir: string, key: string): Promise<void> {
  const data = randomBytes((5 << 20) + 123);
  expect(await site.put(key, chunks(data))).toBe(data.length);
  expect(sha(await read(site, key))).toBe(sha(data));
  expect(readdirSync(path.join(localDir, path.dirname(key)))).toEqual([path.basename(key)]);
  await site.publish('gen-1/manifest.json', Buffer.from('{"v":1}'));
  await site.publish('gen-1/manifest.json', Buffer.from('{"v":2}'));
  expect(readFileSync(path.join(localDir, 'gen-1/manifest.json'), 'utf8')).toBe('{"v":2}');
  // A leftover of a killed put is listed as partial, and removed like an object.
  writeFileSync(path.join(localDir, 'gen-1', 'b.bin.tmp-0123456789ab'), 'torn');
  const listed = await site.list('gen-1/');
  const want: [string, number, boolean][] = [
    [key, data.length, false],
    ['gen-1/b.bin.tmp-0123456789ab', 4, true],
    ['gen-1/manifest.json', 7, false],
  ];
  expect(listed.map((e) => [e.key, e.size, !!e.partial])).toEqual(want.sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  expect(listed.every((e) => e.mtimeMs > Date.now() - 600_000)).toBe(true);
  expect(await site.list('gen-1/m')).toHaveLength(1);
  await site.remove(listed);
  expect(await site.list('')).toEqual([]);
  expect(existsSync(path.join(localDir, 'gen-1'))).toBe(false);
  await expect(site.get(key)).rejects.toMatchObject({ kind: 'missing' });
}
