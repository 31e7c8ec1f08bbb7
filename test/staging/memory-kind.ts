import { Readable } from 'node:stream';
import { defineKind } from '../../src/staging/kind.js';
import { SiteError, checkKey, type SiteEntry, type StagingSite } from '../../src/staging/site.js';

/**
 * A whole staging kind in one file, for tests only: mem://NAME, objects in
 * this process's memory. What it takes to add a kind: this module plus one
 * line in a registry (see contract.test.ts).
 */
const stores = new Map<string, Map<string, { data: Buffer; mtimeMs: number; partial?: boolean }>>();

export const memoryKind = defineKind<{ name: string }>({
  scheme: 'mem',
  example: 'mem://name',
  about: 'objects in memory, for tests',
  parse(url) {
    const m = /^mem:\/\/([a-z0-9-]+)$/i.exec(url);
    return m ? { ok: true, url, target: { name: m[1] } } : { ok: false, why: 'use mem://name' };
  },
  open(url, t) {
    const store = stores.get(t.name) ?? new Map();
    stores.set(t.name, store);
    return openMemorySite(url, store);
  },
});

function openMemorySite(url: string, store: Map<string, { data: Buffer; mtimeMs: number; partial?: boolean }>): StagingSite {
  const describe = (key: string) => `${url}/${key}`;
  async function put(key: string, body: AsyncIterable<Uint8Array>): Promise<number> {
    checkKey(key);
    const parts: Buffer[] = [];
    // While the body comes in, only an upload is visible, as a leftover would be after a crash.
    const upload = `${key}#upload`;
    store.set(upload, { data: Buffer.alloc(0), mtimeMs: Date.now(), partial: true });
    for await (const c of body) parts.push(Buffer.from(c));
    store.delete(upload);
    const data = Buffer.concat(parts);
    store.set(key, { data, mtimeMs: Date.now() });
    return data.length;
  }
  return {
    url,
    put,
    async get(key) {
      const o = store.get(checkKey(key));
      if (!o || o.partial) throw new SiteError('missing', `${describe(key)}: no such object`);
      return Readable.from([o.data]);
    },
    async list(prefix) {
      const out: SiteEntry[] = [];
      for (const [k, o] of store) {
        if (!k.startsWith(prefix)) continue;
        out.push(o.partial ? { key: k.slice(0, -'#upload'.length), size: o.data.length, mtimeMs: o.mtimeMs, partial: true, ref: k } : { key: k, size: o.data.length, mtimeMs: o.mtimeMs });
      }
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async remove(entries) {
      for (const e of entries) store.delete(e.partial ? e.ref ?? '' : checkKey(e.key));
    },
    async publish(key, data) {
      await put(key, (async function* () {
        yield data;
      })());
    },
    describe,
    close() {},
  };
}
