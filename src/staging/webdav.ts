import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { SiteError, TEMP_MARK, checkKey, guardBody, type SiteCallOptions, type SiteEntry, type StagingSite } from './site.js';
import { davClient, type DavSiteOptions } from './webdav-http.js';
import { encodePath, parseMultistatus } from './webdav-proto.js';

export type { DavSiteOptions };

/**
 * davs://host/path (dav:// for plain HTTP) with Node's own http(s): a put
 * streams the body in a PUT to `<name>.tmp-<hex>` and MOVEs it over the final
 * name (Overwrite: T), so readers see the old object or the whole new one;
 * PROPFIND (Depth: 1, walked) lists, DELETE prunes, MKCOL makes folders.
 */
export function openDavSite(url: string, o: DavSiteOptions): StagingSite {
  const { origin, request, simple, streamPut, failStatus, classify, close } = davClient(o);
  const pathOf = (key: string) => `${o.root}/${encodePath(checkKey(key))}`;
  const describe = (key: string) => `${url.replace(/\/+$/, '')}/${key}`;
  const made = new Set<string>();

  /** MKCOL each folder of `dir` below the site root not made yet (405: it exists). */
  async function mkcols(dir: string, signal?: AbortSignal): Promise<void> {
    const parts = dir.split('/').filter(Boolean);
    let cur = '';
    for (const part of parts) {
      cur += '/' + part;
      if (made.has(cur)) continue;
      const { status } = await simple('MKCOL', cur + '/', {}, undefined, signal);
      // Above the site root a folder may be visible but not ours to make: only ours must succeed.
      if (status !== 201 && status !== 405 && cur.length > o.root.length) failStatus(status, 'MKCOL', cur);
      made.add(cur);
    }
  }

  async function put(key: string, body: AsyncIterable<Uint8Array>, c: SiteCallOptions = {}): Promise<number> {
    const final = pathOf(key);
    const tmp = final + TEMP_MARK + randomBytes(6).toString('hex');
    const guarded = guardBody(body);
    let sent = false;
    try {
      await mkcols(final.slice(0, final.lastIndexOf('/')), c.signal);
      sent = true;
      const bytes = await streamPut(tmp, guarded.iter, c);
      const mv = await simple('MOVE', tmp, { destination: origin + final, overwrite: 'T' }, undefined, c.signal);
      if (mv.status !== 201 && mv.status !== 204) failStatus(mv.status, 'MOVE', tmp);
      return bytes;
    } catch (err) {
      // A temp object that made it goes now if the server still answers; else the next prune takes it.
      if (sent) await simple('DELETE', tmp).catch(() => {});
      if (guarded.failure() !== undefined) throw guarded.failure();
      throw classify(err, describe(key), c.signal, 'put');
    }
  }

  async function get(key: string, c: SiteCallOptions = {}): Promise<Readable> {
    try {
      return await new Promise<Readable>((resolve, reject) => {
        const req = request('GET', pathOf(key), {}, c.signal);
        req.on('error', reject);
        req.on('response', (res) => {
          const s = res.statusCode ?? 0;
          if (s !== 200) {
            res.resume();
            if (s === 404) return reject(new SiteError('missing', `${describe(key)}: no such object`));
            try {
              failStatus(s, 'GET', pathOf(key));
            } catch (err) {
              reject(err);
            }
            return;
          }
          if (c.onBytes) res.on('data', (chunk: Buffer) => c.onBytes!(chunk.length));
          resolve(res);
        });
        req.end();
      });
    } catch (err) {
      throw classify(err, describe(key), c.signal, 'get');
    }
  }

  async function list(prefix: string, c: SiteCallOptions = {}): Promise<SiteEntry[]> {
    const out: SiteEntry[] = [];
    const cut = prefix.lastIndexOf('/');
    const baseKey = cut >= 0 ? prefix.slice(0, cut) : '';
    try {
      await walk(baseKey, prefix, out, c.signal);
    } catch (err) {
      throw classify(err, describe(prefix || '.'), c.signal, 'list');
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  const PROPS = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/><D:getlastmodified/></D:prop></D:propfind>';

  /** The members of one collection (undefined when it does not exist). */
  async function members(keyDir: string, signal?: AbortSignal) {
    const p = (keyDir ? pathOf(keyDir) : o.root) + '/';
    const res = await simple('PROPFIND', p, { depth: '1' }, PROPS, signal);
    if (res.status === 404) return undefined;
    if (res.status !== 207) failStatus(res.status, 'PROPFIND', p);
    const self = decodeURIComponent(p);
    return parseMultistatus(res.text).filter((h) => h.path.replace(/\/+$/, '') !== self.replace(/\/+$/, ''));
  }

  async function walk(keyDir: string, prefix: string, out: SiteEntry[], signal?: AbortSignal): Promise<void> {
    const items = await members(keyDir, signal);
    for (const h of items ?? []) {
      const name = h.path.replace(/\/+$/, '').split('/').pop() ?? '';
      if (!name) continue;
      const key = keyDir ? `${keyDir}/${name}` : name;
      if (h.collection) {
        if ((key + '/').startsWith(prefix) || prefix.startsWith(key + '/')) await walk(key, prefix, out, signal);
        continue;
      }
      if (!key.startsWith(prefix)) continue;
      const partial = name.includes(TEMP_MARK);
      out.push({ key, size: h.size, mtimeMs: h.mtimeMs, ...(partial ? { partial } : {}) });
    }
  }

  async function remove(entries: SiteEntry[], c: SiteCallOptions = {}): Promise<void> {
    const dirs = new Set<string>();
    try {
      for (const e of entries) {
        c.signal?.throwIfAborted();
        const res = await simple('DELETE', pathOf(e.key), {}, undefined, c.signal);
        if (res.status !== 204 && res.status !== 200 && res.status !== 404) failStatus(res.status, 'DELETE', pathOf(e.key));
        const cut = e.key.lastIndexOf('/');
        if (cut > 0) dirs.add(e.key.slice(0, cut));
      }
      // Folders left empty go too, deepest first. DELETE of a collection is
      // recursive, so each is listed first and kept when anything is in it.
      for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
        for (let cur = d; cur; cur = cur.slice(0, Math.max(0, cur.lastIndexOf('/')))) {
          const items = await members(cur, c.signal);
          if (!items || items.length > 0) break;
          await simple('DELETE', pathOf(cur) + '/', {}, undefined, c.signal);
          made.delete(pathOf(cur));
        }
      }
    } catch (err) {
      throw classify(err, describe(entries[0]?.key ?? ''), c.signal, 'remove');
    }
  }

  async function publish(key: string, data: Uint8Array, c: SiteCallOptions = {}): Promise<void> {
    await put(key, (async function* () {
      yield data;
    })(), c);
  }

  return { url, put, get, list, remove, publish, describe, close };
}
