import { randomBytes } from 'node:crypto';
import path from 'node:path/posix';
import { Readable } from 'node:stream';
import { connectSftp, type SshOptions, type SshSession } from './sftp-connect.js';
import { IN_FLIGHT, NO_SUCH_FILE, PERMISSION_DENIED, PIECE, S_IFMT, S_IFREG, Window, mkdirs, walk } from './sftp-io.js';
import { SiteError, TEMP_MARK, checkKey, guardBody, isAbort, oneLine, type SiteCallOptions, type SiteEntry, type StagingSite } from './site.js';

export interface SftpSiteOptions extends SshOptions {
  /** Absolute directory on the server, no trailing '/'. */
  root: string;
}

/**
 * sftp://[user@]host[:port]/abs/path over one SSH connection per site
 * (opened on first use, opened again after it drops). A put writes
 * `<name>.tmp-<hex>` beside the final name, fsyncs it where the server has
 * fsync@openssh.com, and renames it into place with posix-rename@openssh.com
 * (atomic, replaces the old object); servers without it get a plain rename,
 * after removing the old object, so there is a moment with neither.
 */
export function openSftpSite(url: string, o: SftpSiteOptions): StagingSite {
  let session: Promise<SshSession> | undefined;
  const pathOf = (key: string) => `${o.root}/${checkKey(key)}`;
  const describe = (key: string) => `${url.replace(/\/+$/, '')}/${key}`;

  /** The site's one connection; a new one once it has dropped (the retry after a lost server). */
  async function connect(signal?: AbortSignal): Promise<SshSession> {
    const current = session;
    if (current) {
      const ss = await current.catch(() => undefined);
      if (ss?.alive()) return ss;
      if (session === current) session = undefined;
    }
    if (!session) {
      const s = connectSftp(o, signal);
      session = s;
      s.catch(() => session === s && (session = undefined));
    }
    return session;
  }

  async function put(key: string, body: AsyncIterable<Uint8Array>, c: SiteCallOptions = {}): Promise<number> {
    const final = pathOf(key);
    const tmp = final + TEMP_MARK + randomBytes(6).toString('hex');
    const guarded = guardBody(body);
    let handle: Buffer | undefined;
    let ss: SshSession | undefined;
    try {
      ss = await connect(c.signal);
      const { sftp, call } = ss;
      await mkdirs(ss, path.dirname(final));
      const h = await call<Buffer>((cb) => sftp.open(tmp, 'wx', { mode: 0o644 }, cb));
      handle = h;
      let bytes = 0;
      const writes = new Window();
      for await (const chunk of guarded.iter) {
        c.signal?.throwIfAborted();
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        for (let off = 0; off < buf.length; off += PIECE) {
          const piece = buf.subarray(off, Math.min(off + PIECE, buf.length));
          const at = bytes + off;
          await writes.add(() => call((cb) => sftp.write(h, piece, 0, piece.length, at, cb)));
        }
        bytes += buf.length;
        c.onBytes?.(buf.length);
      }
      await writes.drain();
      if (ss.fsync) await call((cb) => sftp.ext_openssh_fsync(h, cb));
      handle = undefined;
      await call((cb) => sftp.close(h, cb));
      await rename(ss, tmp, final);
      return bytes;
    } catch (err) {
      if (ss) {
        const { sftp, call } = ss;
        const open = handle;
        if (open) await call((cb) => sftp.close(open, cb)).catch(() => {});
        // The temp file goes now if the connection still stands; else the next stage-out's prune takes it.
        await call((cb) => sftp.unlink(tmp, cb)).catch(() => {});
      }
      if (guarded.failure() !== undefined) throw guarded.failure();
      throw classify(err, describe(key), c.signal, 'put');
    }
  }

  async function rename(ss: SshSession, from: string, to: string): Promise<void> {
    const { sftp, call } = ss;
    if (ss.posixRename) return call((cb) => sftp.ext_openssh_rename(from, to, cb));
    await call((cb) => sftp.unlink(to, cb)).catch(() => {});
    await call((cb) => sftp.rename(from, to, cb));
  }

  async function get(key: string, c: SiteCallOptions = {}): Promise<Readable> {
    try {
      const ss = await connect(c.signal);
      const { sftp, call } = ss;
      const handle = await call<Buffer>((cb) => sftp.open(pathOf(key), 'r', cb));
      const st = await call<{ size: number; mode: number }>((cb) => sftp.fstat(handle, cb));
      if ((st.mode & S_IFMT) !== S_IFREG) {
        await call((cb) => sftp.close(handle, cb)).catch(() => {});
        throw new SiteError('missing', `${describe(key)} is not a file`);
      }
      return Readable.from(readPieces(ss, handle, st.size, c), { objectMode: false, highWaterMark: 1 });
    } catch (err) {
      throw classify(err, describe(key), c.signal, 'get');
    }
  }

  /** Reads IN_FLIGHT pieces ahead, in order; closes the handle however it ends. */
  async function* readPieces(ss: SshSession, handle: Buffer, size: number, c: SiteCallOptions): AsyncGenerator<Buffer> {
    const { sftp, call } = ss;
    const ahead: Promise<Buffer>[] = [];
    let next = 0;
    const readAt = async (at: number, len: number): Promise<Buffer> => {
      const buf = Buffer.allocUnsafe(len);
      let got = 0;
      while (got < len) {
        const n = await call<number>((cb) => sftp.read(handle, buf, got, len - got, at + got, cb));
        if (n === 0) throw new SiteError('retryable', `object shrank while read (${at + got} of ${size} bytes)`);
        got += n;
      }
      return buf;
    };
    try {
      for (;;) {
        while (ahead.length < IN_FLIGHT && next < size) {
          const len = Math.min(PIECE, size - next);
          const p = readAt(next, len);
          p.catch(() => {});
          ahead.push(p);
          next += len;
        }
        const p = ahead.shift();
        if (!p) return;
        c.signal?.throwIfAborted();
        const buf = await p;
        c.onBytes?.(buf.length);
        yield buf;
      }
    } catch (err) {
      throw classify(err, 'read', c.signal, 'get');
    } finally {
      await Promise.allSettled(ahead);
      await call((cb) => sftp.close(handle, cb)).catch(() => {});
    }
  }

  async function list(prefix: string, c: SiteCallOptions = {}): Promise<SiteEntry[]> {
    const out: SiteEntry[] = [];
    const cut = prefix.lastIndexOf('/');
    const baseKey = cut >= 0 ? prefix.slice(0, cut) : '';
    try {
      const ss = await connect(c.signal);
      await walk(ss, baseKey ? pathOf(baseKey) : o.root, baseKey, prefix, out, c.signal);
    } catch (err) {
      if ((err as { code?: unknown }).code === NO_SUCH_FILE) return out;
      throw classify(err, describe(prefix || '.'), c.signal, 'list');
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async function remove(entries: SiteEntry[], c: SiteCallOptions = {}): Promise<void> {
    if (entries.length === 0) return;
    const dirs = new Set<string>();
    try {
      const { sftp, call } = await connect(c.signal);
      for (const e of entries) {
        c.signal?.throwIfAborted();
        const p = pathOf(e.key);
        await call((cb) => sftp.unlink(p, cb)).catch((err) => {
          if ((err as { code?: unknown }).code !== NO_SUCH_FILE) throw err;
        });
        dirs.add(path.dirname(p));
      }
      // Generation folders left empty go too, deepest first; rmdir refuses a non-empty one.
      for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
        for (let cur = d; cur.startsWith(o.root + '/'); cur = path.dirname(cur)) {
          const gone = await call((cb) => sftp.rmdir(cur, cb)).then(() => true, () => false);
          if (!gone) break;
        }
      }
    } catch (err) {
      throw classify(err, describe(entries[0].key), c.signal, 'remove');
    }
  }

  async function publish(key: string, data: Uint8Array, c: SiteCallOptions = {}): Promise<void> {
    await put(key, (async function* () {
      yield data;
    })(), c);
  }

  function close(): void {
    const s = session;
    session = undefined;
    void s?.then((ss) => ss.client.end(), () => {});
  }

  return { url, put, get, list, remove, publish, describe, close };
}

function classify(err: unknown, where: string, signal: AbortSignal | undefined, op: string): SiteError {
  if (err instanceof SiteError) return err;
  if (isAbort(err, signal)) return new SiteError('fatal', 'aborted', { cause: err });
  const code = (err as { code?: unknown }).code;
  if (code === NO_SUCH_FILE && op === 'get') return new SiteError('missing', `${where}: no such object`, { cause: err });
  if (code === PERMISSION_DENIED) return new SiteError('fatal', `${where}: permission denied on the server; check the path and its owner`, { cause: err });
  return new SiteError('retryable', `${where}: ${oneLine(err)}`, { cause: err });
}
