import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KINDS, makeRegistry, registry } from '../../src/staging/registry.js';
import { SiteError, type SiteEntry, type StagingLocation, type StagingSite } from '../../src/staging/site.js';
import type { SiteOptions } from '../../src/staging/kind.js';
import { listGenerations, stageIn, stageOut } from '../../src/transfer/index.js';
import { memoryKind } from './memory-kind.js';
import { freshRemote } from '../transfer/helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The contract every staging kind keeps, run against each registered kind:
 * file:// always, s3:// in the s3 project (KICKSTART_TEST_STAGING=s3, a real
 * server), and mem://, a kind that exists only in this test: one module
 * (memory-kind.ts) and the one registry line below are all it takes.
 */
const withMemory = makeRegistry([...KINDS, memoryKind]);

const unique = () => `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

interface Case {
  scheme: string;
  /** A fresh, empty site; `outside` is a directory a traversal would reach, when the kind has one. */
  fresh(): { url: string; site?: SiteOptions; outside?: string };
}
const cases: Case[] = [
  {
    scheme: 'file',
    fresh() {
      const d = tempDir('contract-file').dir;
      return { url: pathToFileURL(path.join(d, 'site')).href, outside: d };
    },
  },
  { scheme: 'mem', fresh: () => ({ url: `mem://c-${unique()}` }) },
];
// sftp:// and davs:// against the real sshd and nginx of the staging-sftp and
// staging-webdav projects; the traversal check looks at the server's own disk.
for (const [test, scheme, root] of [['sftp', 'sftp', 'SFTP_ROOT_DIR'], ['webdav', 'davs', 'DAV_ROOT_DIR']] as const) {
  if (process.env.KICKSTART_TEST_STAGING !== test) continue;
  cases.push({ scheme, fresh: () => ({ ...freshRemote(test, `contract-${unique()}`), outside: process.env[root] }) });
}
if (process.env.KICKSTART_TEST_STAGING === 's3') {
  cases.push({
    scheme: 's3',
    fresh: () => ({ url: `s3://${process.env.S3_BUCKET}/contract-${unique()}`, site: { s3Endpoint: process.env.S3_ENDPOINT! } }),
  });
}

function locate(c: Case): StagingLocation {
  const f = c.fresh();
  const r = withMemory.resolve(f.url, f.site);
  if (!r.ok) throw new Error(r.message);
  return r.location;
}

async function read(site: StagingSite, key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of await site.get(key)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function* chunks(...bufs: Buffer[]) {
  yield* bufs;
}

const complete = (list: SiteEntry[]) => list.filter((e) => !e.partial);

it('every kind kickstart registers is under contract here', () => {
  // s3, sftp and davs run in their projects (real servers; dav:// is davs://
  // without TLS, the same adapter); every other kind must have a case.
  const covered = new Set([...cases.map((c) => c.scheme), 's3', 'sftp', 'davs', 'dav']);
  expect(registry.kinds.map((k) => k.scheme).filter((s) => !covered.has(s))).toEqual([]);
});

describe.each(cases)('staging kind $scheme', (c) => {
  it('put, get, list and delete', async () => {
    const site = await locate(c).open();
    try {
      const a = randomBytes(70_000);
      const b = randomBytes(5);
      expect(await site.put('job/gen-000001/a.bin', chunks(a.subarray(0, 1000), Buffer.alloc(0), a.subarray(1000)))).toBe(a.length);
      await site.put('job/gen-000001/b.bin', chunks(b));
      await site.put('other/x', chunks(b));
      expect((await read(site, 'job/gen-000001/a.bin')).equals(a)).toBe(true);
      const listed = complete(await site.list('job/'));
      expect(listed.map((e) => [e.key, e.size])).toEqual([['job/gen-000001/a.bin', a.length], ['job/gen-000001/b.bin', 5]]);
      expect(complete(await site.list('job/gen-')).map((e) => e.key)).toHaveLength(2);
      expect(await site.list('nothing/')).toEqual([]);
      // A put over an existing key replaces it.
      await site.put('job/gen-000001/b.bin', chunks(a));
      expect((await read(site, 'job/gen-000001/b.bin')).equals(a)).toBe(true);
      await site.remove(listed);
      await site.remove(listed); // absent ones are fine
      expect(complete(await site.list('job/'))).toEqual([]);
      await expect(site.get('job/gen-000001/a.bin')).rejects.toMatchObject({ name: 'SiteError', kind: 'missing' });
      expect(site.describe('job/x')).toBe(`${site.url}/job/x`);
    } finally {
      site.close();
    }
  });

  it('an object is visible only when its put is complete; publish replaces whole', async () => {
    const site = await locate(c).open();
    try {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const data = randomBytes(20_000);
      const putting = site.put('job/gen-000002/data', (async function* () {
        yield data.subarray(0, 10_000);
        await gate;
        yield data.subarray(10_000);
      })());
      await new Promise((r) => setTimeout(r, 100));
      expect(complete(await site.list('job/')).map((e) => e.key)).toEqual([]);
      await expect(site.get('job/gen-000002/data')).rejects.toBeInstanceOf(SiteError);
      release();
      expect(await putting).toBe(data.length);
      expect((await read(site, 'job/gen-000002/data')).equals(data)).toBe(true);

      await site.publish('job/gen-000002.manifest.json', Buffer.from('{"v":1}'));
      await site.publish('job/gen-000002.manifest.json', Buffer.from('{"v":2, "longer": true}'));
      expect((await read(site, 'job/gen-000002.manifest.json')).toString()).toBe('{"v":2, "longer": true}');
    } finally {
      site.close();
    }
  });

  it('a generation is visible to stage-in only once its manifest is published', async () => {
    const location = locate(c);
    const cwd = tempDir('contract-work').dir;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(cwd, 'state.ckpt'), randomBytes(3000));
    const base = { checkpoints: ['state.ckpt'], cwd, staging: location, jobId: 'contract', attempt: 1, retries: 0, backoffMs: 1 };
    const seen: Record<string, string> = {};
    const out = await stageOut({
      ...base,
      hooks: {
        phase: async (name) => {
          if (name !== 'uploaded') return;
          const fresh = tempDir('contract-restore').dir;
          seen.before = (await stageIn({ ...base, cwd: fresh })).result;
        },
      },
    });
    expect(out).toMatchObject({ result: 'ok', generation: 1, url: location.url });
    expect(seen.before).toBe('none');
    const fresh = tempDir('contract-restore').dir;
    expect(await stageIn({ ...base, cwd: fresh })).toMatchObject({ result: 'ok', generation: 1 });
    expect(readdirSync(fresh)).toContain('state.ckpt');
    expect((await listGenerations({ staging: location, jobId: 'contract', verify: true })).map((g) => [g.generation, g.verified])).toEqual([[1, true]]);
  });

  it('a failed put leaves no object, only leftovers that list reports and remove clears', async () => {
    const site = await locate(c).open();
    try {
      const ac = new AbortController();
      const failing = site.put('job/gen-000003/data', (async function* () {
        yield randomBytes(10_000);
        ac.abort();
        throw new Error('torn checkpoint');
      })(), { signal: ac.signal });
      await expect(failing).rejects.toThrow(/torn checkpoint|aborted/);
      const left = await site.list('job/');
      expect(complete(left)).toEqual([]);
      await site.remove(left);
      expect(await site.list('job/')).toEqual([]);
    } finally {
      site.close();
    }
  });

  it('refuses keys that would leave the site', async () => {
    const f = c.fresh();
    const r = withMemory.resolve(f.url, f.site);
    if (!r.ok) throw new Error(r.message);
    const site = await r.location.open();
    try {
      for (const key of ['../escape', '/abs', 'a/../../escape', 'a//b', './a', '', 'a\\..\\b', 'a\0b']) {
        await expect(site.put(key, chunks(Buffer.from('x'))), key).rejects.toMatchObject({ name: 'SiteError', kind: 'fatal' });
        await expect(site.get(key), key).rejects.toMatchObject({ name: 'SiteError', kind: 'fatal' });
      }
      if (f.outside) expect(existsSync(path.join(f.outside, 'escape'))).toBe(false);
    } finally {
      site.close();
    }
  });
});

describe('the registry', () => {
  it('hints, site options and errors come from the kinds', () => {
    expect(registry.hint).toBe('file:///abs/dir, s3://bucket/prefix, sftp://[user@]host[:port]/abs/path, davs://host[:port]/path or dav://host[:port]/path');
    expect(withMemory.hint).toBe('file:///abs/dir, s3://bucket/prefix, sftp://[user@]host[:port]/abs/path, davs://host[:port]/path, dav://host[:port]/path or mem://name');
    expect(registry.options.map((o) => `--${o.flag}`)).toEqual(['--s3-endpoint', '--ssh-key', '--ssh-known-hosts', '--ca-file']);
    const bad = (url: string) => {
      const r = registry.resolve(url);
      return r.ok ? 'ok' : r.message;
    };
    expect(bad('')).toBe("--staging '': empty; use file:///abs/dir, s3://bucket/prefix, sftp://[user@]host[:port]/abs/path, davs://host[:port]/path or dav://host[:port]/path");
    expect(bad('mem://x')).toBe("--staging 'mem://x': unsupported scheme 'mem:'; use file:///abs/dir, s3://bucket/prefix, sftp://[user@]host[:port]/abs/path, davs://host[:port]/path or dav://host[:port]/path");
    expect(bad('file://host/dir')).toMatch(/needs an absolute path/);
    expect(bad('s3://user:secret@bucket/p')).toBe("--staging 's3://***@bucket/p': credentials do not belong in the URL; use the AWS credential chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, ...)");
    expect(bad('s3://B/x')).toMatch(/'B' is not a bucket name/);
    expect(bad('s3://bucket/a/../b')).toMatch(/'\.\.' segment/);
    expect(withMemory.resolve('mem://x').ok).toBe(true);
    expect(bad('sftp://u:pw@host/abs')).toMatch(/^--staging 'sftp:\/\/\*\*\*@host\/abs': a password never goes in the URL/);
    expect(bad('sftp://host')).toMatch(/needs an absolute directory on the server/);
    expect(bad('sftp://host:99999/x')).toMatch(/port '99999' is not 1-65535/);
    expect(bad('sftp://host/a/../b')).toMatch(/'\.\.' segment/);
    expect(bad('davs://u:pw@host/x')).toMatch(/credentials do not belong in the URL; set KICKSTART_WEBDAV_USER/);
    expect(bad('davs://host/a/%2e%2e/b')).toMatch(/'\.\.' segment/);
    expect(bad('davs://host/x?y=1')).toMatch(/query or fragment/);
  });

  it('sftp:// and davs:// URLs come out cleaned, with their parts', () => {
    const at = (url: string) => {
      const r = registry.resolve(url);
      return r.ok ? r.location.url : r.message;
    };
    expect(at('sftp://me@DTN.example.org:22/scratch/ckpt/')).toBe('sftp://me@dtn.example.org/scratch/ckpt');
    expect(at('sftp://[::1]:2222/a%20b')).toBe('sftp://[::1]:2222/a%20b');
    expect(at('davs://dcache.example.org:443/pnfs/vo/')).toBe('davs://dcache.example.org/pnfs/vo');
    expect(at('davs://h:8443')).toBe('davs://h:8443');
    expect(at('dav://127.0.0.1:8080/x')).toBe('dav://127.0.0.1:8080/x');
  });

  it('a URL is parsed once into a location that carries its cleaned form and site options', async () => {
    const r = registry.resolve('s3://bucket/a/b/', { s3Endpoint: 'http://127.0.0.1:1' });
    expect(r.ok && [r.location.url, r.location.scheme]).toEqual(['s3://bucket/a/b', 's3']);
    const f = registry.resolve('file:///tmp/x/');
    expect(f.ok && f.location.url).toBe('file:///tmp/x');
  });

  it("redaction is the kind's: S3 credentials never show", () => {
    const before = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = 'sekrit-value-123';
    try {
      expect(registry.redact('signature for sekrit-value-123 failed')).toBe('signature for *** failed');
      const r = registry.resolve('s3://bucket/p');
      expect(r.ok && r.location.redact('x sekrit-value-123')).toBe('x ***');
    } finally {
      if (before === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = before;
    }
  });
});

describe('the README', () => {
  it('lists the staging kinds exactly as the registry has them', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /<!-- staging-kinds[^>]*-->\n([\s\S]*?)\n<!-- \/staging-kinds -->/.exec(readme)?.[1];
    expect(block, 'README.md has a <!-- staging-kinds --> block').toBeDefined();
    expect(block).toBe(registry.docs());
  });
});
