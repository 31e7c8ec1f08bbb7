import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Readable } from 'node:stream';
import { TEMP_MARK } from './site.js';
import { SiteError, checkKey, guardBody, isAbort, oneLine, type SiteCallOptions, type SiteEntry, type StagingSite } from './site.js';
import { encodePath, maskSecrets, parseMultistatus, type DavAuth } from './webdav-proto.js';

export interface DavSiteOptions {
  /** https: for davs://, http: for dav:// */
  secure: boolean;
  host: string;
  port: number;
  /** Collection path of the site, '/'-led, no trailing '/' ('' for the server root). */
  root: string;
  auth: DavAuth;
  /** PEM CA bundle trusted besides Node's own list (--ca-file). */
  ca?: string;
}

const TIMEOUT_MS = 120_000;

/**
 * davs://host/path (dav:// for plain HTTP) with Node's own http(s): a put
 * streams the body in a PUT to `<name>.tmp-<hex>` and MOVEs it over the final
 * name (Overwrite: T), so readers see the old object or the whole new one;
 * PROPFIND (Depth: 1, walked) lists, DELETE prunes, MKCOL makes folders.
 * Keep-alive sockets: one TLS handshake per site, not per request.
 */
export function openDavSite(url: string, o: DavSiteOptions): StagingSite {
  const agent = o.secure
    ? new https.Agent({ keepAlive: true, maxSockets: 4, ...(o.ca ? { ca: [...rootCertificates, o.ca] } : {}) })
    : new http.Agent({ keepAlive: true, maxSockets: 4 });
  const origin = `${o.secure ? 'https' : 'http'}://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
  const pathOf = (key: string) => `${o.root}/${encodePath(checkKey(key))}`;
  const describe = (key: string) => `${url.replace(/\/+$/, '')}/${key}`;
  const made = new Set<string>();

  function request(method: string, p: string, headers: Record<string, string>, signal?: AbortSignal): http.ClientRequest {
    const lib = o.secure ? https : http;
    const req = lib.request({
      host: o.host,
      port: o.port,
      path: p,
      method,
      agent,
      signal,
      headers: { ...headers, ...(o.auth.header ? { authorization: o.auth.header } : {}) },
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(Object.assign(new Error(`no answer from ${o.host}:${o.port} for ${TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
    return req;
  }

  /** Sends a request with a small body (or none); resolves to status and text. */
  function simple(method: string, p: string, headers: Record<string, string> = {}, body?: string, signal?: AbortSignal): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(method, p, { ...headers, ...(body !== undefined ? { 'content-type': 'application/xml; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) } : {}) }, signal);
      req.on('error', reject);
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
      });
      req.end(body);
    });
  }

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

  /** PUT with the body streamed chunk by chunk (chunked encoding), waiting on backpressure. */
  function streamPut(p: string, body: AsyncIterable<Uint8Array>, c: SiteCallOptions): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let bytes = 0;
      let failed = false;
      const req = request('PUT', p, { 'content-type': 'application/octet-stream' }, c.signal);
      const fail = (err: unknown) => {
        if (failed) return;
        failed = true;
        req.destroy();
        reject(err);
      };
      req.on('error', fail);
      req.on('response', (res) => {
        res.resume();
        const s = res.statusCode ?? 0;
        if (s === 200 || s === 201 || s === 204) res.on('end', () => (failed ? undefined : resolve(bytes)));
        else {
          try {
            failStatus(s, 'PUT', p);
          } catch (err) {
            fail(err);
          }
        }
      });
      void (async () => {
        for await (const chunk of body) {
          if (failed) return;
          bytes += chunk.byteLength;
          c.onBytes?.(chunk.byteLength);
          if (!req.write(chunk)) await new Promise<void>((r) => req.once('drain', r).once('close', r));
        }
        req.end();
      })().catch(fail);
    });
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

  function failStatus(status: number, method: string, p: string): never {
    const where = `${method} ${p}`;
    if (status === 401) {
      const how = o.auth.source ? `the credentials from ${o.auth.source} were refused` : 'no credentials given';
      throw new SiteError('fatal', `${where}: HTTP 401 (${how}); set KICKSTART_WEBDAV_USER and KICKSTART_WEBDAV_PASSWORD, KICKSTART_WEBDAV_TOKEN, or a netrc entry for ${o.host}`);
    }
    if (status === 403) throw new SiteError('fatal', `${where}: HTTP 403 forbidden; check the account's rights on the share`);
    if (status === 405 || status === 501) throw new SiteError('fatal', `${where}: HTTP ${status}: the server does not allow ${method} here; is it a WebDAV share?`);
    if (status === 507) throw new SiteError('retryable', `${where}: HTTP 507 insufficient storage`);
    throw new SiteError(status === 400 || status === 409 || status === 412 ? 'fatal' : 'retryable', `${where}: HTTP ${status}`);
  }

  function classify(err: unknown, where: string, signal: AbortSignal | undefined, op: string): SiteError {
    if (err instanceof SiteError) return new SiteError(err.kind, maskSecrets(err.message, o.auth.secrets), { cause: err });
    if (isAbort(err, signal)) return new SiteError('fatal', 'aborted', { cause: err });
    const code = String((err as { code?: unknown }).code ?? '');
    const msg = maskSecrets(oneLine(err), o.auth.secrets);
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/.test(code)) {
      return new SiteError('fatal', `${where}: TLS certificate not trusted (${msg}); give the server's CA with --ca-file FILE`, { cause: err });
    }
    void op;
    return new SiteError('retryable', `${where}: ${msg}`, { cause: err });
  }

  return { url, put, get, list, remove, publish, describe, close: () => agent.destroy() };
}
