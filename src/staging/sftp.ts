import { randomBytes } from 'node:crypto';
import path from 'node:path/posix';
import { Readable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import { TEMP_MARK } from './site.js';
import { connectSftp, type SshOptions, type SshSession } from './sftp-connect.js';
import { SiteError, checkKey, guardBody, isAbort, oneLine, type SiteCallOptions, type SiteEntry, type StagingSite } from './site.js';

export interface SftpSiteOptions extends SshOptions {
  /** Absolute directory on the server, no trailing '/'. */
  root: string;
}

/** Writes and reads in flight on the one channel: 16 x 256 KiB keeps loopback and WAN links busy. */
const IN_FLIGHT = 16;
const PIECE = 256 << 10;
// SFTP status codes (draft-ietf-secsh-filexfer-02).
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

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

  function connect(signal?: AbortSignal): Promise<SshSession> {
    if (!session) {
      const s = connectSftp(o, signal);
      session = s;
      s.then(
        (ss) => ss.client.on('close', () => session === s && (session = undefined)),
        () => session === s && (session = undefined),
      );
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
      const { sftp } = ss;
      await mkdirs(sftp, path.dirname(final));
      handle = await call<Buffer>((cb) => sftp.open(tmp, 'wx', { mode: 0o644 }, cb));
      const h = handle;
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
        const { sftp } = ss;
        if (handle) await call((cb) => sftp.close(handle!, cb)).catch(() => {});
        // The temp file goes now if the connection still stands; else the next stage-out's prune takes it.
        await call((cb) => sftp.unlink(tmp, cb)).catch(() => {});
      }
      if (guarded.failure() !== undefined) throw guarded.failure();
      throw classify(err, describe(key), c.signal, 'put');
    }
  }

  async function rename(ss: SshSession, from: string, to: string): Promise<void> {
    const { sftp } = ss;
    if (ss.posixRename) return call((cb) => sftp.ext_openssh_rename(from, to, cb));
    await call((cb) => sftp.unlink(to, cb)).catch(() => {});
    await call((cb) => sftp.rename(from, to, cb));
  }

  async function get(key: string, c: SiteCallOptions = {}): Promise<Readable> {
    try {
      const { sftp } = await connect(c.signal);
      const handle = await call<Buffer>((cb) => sftp.open(pathOf(key), 'r', cb));
      const st = await call<{ size: number; mode: number }>((cb) => sftp.fstat(handle, cb));
      if ((st.mode & S_IFMT) !== S_IFREG) {
        await call((cb) => sftp.close(handle, cb)).catch(() => {});
        throw new SiteError('missing', `${describe(key)} is not a file`);
      }
      return Readable.from(readPieces(sftp, handle, st.size, c), { objectMode: false, highWaterMark: 1 });
    } catch (err) {
      throw classify(err, describe(key), c.signal, 'get');
    }
  }

  /** Reads IN_FLIGHT pieces ahead, in order; closes the handle however it ends. */
  async function* readPieces(sftp: SFTPWrapper, handle: Buffer, size: number, c: SiteCallOptions): AsyncGenerator<Buffer> {
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
      const { sftp } = await connect(c.signal);
      await walk(sftp, baseKey ? pathOf(baseKey) : o.root, baseKey, prefix, out, c.signal);
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
      const { sftp } = await connect(c.signal);
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

async function walk(sftp: SFTPWrapper, absDir: string, keyDir: string, prefix: string, out: SiteEntry[], signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const names = await call<{ filename: string; attrs: { mode: number; size: number; mtime: number } }[]>((cb) => sftp.readdir(absDir, cb));
  for (const d of names) {
    if (d.filename === '.' || d.filename === '..') continue;
    const key = keyDir ? `${keyDir}/${d.filename}` : d.filename;
    const type = d.attrs.mode & S_IFMT;
    if (type === S_IFDIR) {
      if ((key + '/').startsWith(prefix) || prefix.startsWith(key + '/')) {
        await walk(sftp, `${absDir}/${d.filename}`, key, prefix, out, signal).catch((err) => {
          if ((err as { code?: unknown }).code !== NO_SUCH_FILE) throw err;
        });
      }
      continue;
    }
    if (type !== S_IFREG || !key.startsWith(prefix)) continue;
    const partial = d.filename.includes(TEMP_MARK);
    out.push({ key, size: d.attrs.size, mtimeMs: d.attrs.mtime * 1000, ...(partial ? { partial } : {}) });
  }
}

async function mkdirs(sftp: SFTPWrapper, dir: string): Promise<void> {
  const exists = await call<{ mode: number }>((cb) => sftp.stat(dir, cb)).then(
    (st) => {
      if ((st.mode & S_IFMT) !== S_IFDIR) throw new SiteError('fatal', `${dir} on the server is not a directory`);
      return true;
    },
    (err) => {
      if ((err as { code?: unknown }).code === NO_SUCH_FILE) return false;
      throw err;
    },
  );
  if (exists) return;
  await mkdirs(sftp, path.dirname(dir));
  // Another writer may make it at the same moment: a failed mkdir is fine if it is there now.
  await call((cb) => sftp.mkdir(dir, { mode: 0o755 }, cb)).catch(async (err) => {
    const st = await call<{ mode: number }>((cb) => sftp.stat(dir, cb)).catch(() => undefined);
    if (!st || (st.mode & S_IFMT) !== S_IFDIR) throw err;
  });
}

/** A node-style callback call as a promise. */
function call<T = void>(fn: (cb: (err: Error | null | undefined, v?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      fn((err, v) => (err ? reject(err) : resolve(v as T)));
    } catch (err) {
      reject(err);
    }
  });
}

/** At most IN_FLIGHT promises at once; the first failure is rethrown by add() or drain(). */
class Window {
  private readonly running = new Set<Promise<unknown>>();
  private failure: { err: unknown } | undefined;
  async add(start: () => Promise<unknown>): Promise<void> {
    if (this.failure) throw this.failure.err;
    while (this.running.size >= IN_FLIGHT) await Promise.race(this.running);
    this.check();
    const p: Promise<unknown> = start().then(
      () => void this.running.delete(p),
      (err: unknown) => {
        this.failure ??= { err };
        this.running.delete(p);
      },
    );
    this.running.add(p);
  }
  async drain(): Promise<void> {
    await Promise.all(this.running);
    this.check();
  }
  private check(): void {
    if (this.failure) throw this.failure.err;
  }
}

function classify(err: unknown, where: string, signal: AbortSignal | undefined, op: string): SiteError {
  if (err instanceof SiteError) return err;
  if (isAbort(err, signal)) return new SiteError('fatal', 'aborted', { cause: err });
  const code = (err as { code?: unknown }).code;
  if (code === NO_SUCH_FILE && op === 'get') return new SiteError('missing', `${where}: no such object`, { cause: err });
  if (code === PERMISSION_DENIED) return new SiteError('fatal', `${where}: permission denied on the server; check the path and its owner`, { cause: err });
  return new SiteError('retryable', `${where}: ${oneLine(err)}`, { cause: err });
}
