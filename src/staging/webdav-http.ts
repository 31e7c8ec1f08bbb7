import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { SiteError, isAbort, oneLine, type SiteCallOptions } from './site.js';
import { maskSecrets, type DavAuth } from './webdav-proto.js';

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

export type DavClient = ReturnType<typeof davClient>;

/**
 * The HTTP side of the davs:// adapter: requests on keep-alive sockets (one
 * TLS handshake per site, not per request) with the Authorization header
 * added, a streamed PUT, and statuses and errors turned into SiteErrors whose
 * text never holds a credential.
 */
export function davClient(o: DavSiteOptions) {
  const agent = o.secure
    ? new https.Agent({ keepAlive: true, maxSockets: 4, ...(o.ca ? { ca: [...rootCertificates, o.ca] } : {}) })
    : new http.Agent({ keepAlive: true, maxSockets: 4 });
  const origin = `${o.secure ? 'https' : 'http'}://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
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

  return { origin, request, simple, streamPut, failStatus, classify, close: () => agent.destroy() };
}
