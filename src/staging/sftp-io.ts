import path from 'node:path/posix';
import type { SshSession } from './sftp-connect.js';
import { SiteError, TEMP_MARK, type SiteEntry } from './site.js';

/** The directory walk, mkdir -p and write window of the sftp:// adapter. */
/** Writes and reads in flight on the one channel: 16 x 256 KiB keeps loopback and WAN links busy. */
export const IN_FLIGHT = 16;
export const PIECE = 256 << 10;
// SFTP status codes (draft-ietf-secsh-filexfer-02).
export const NO_SUCH_FILE = 2;
export const PERMISSION_DENIED = 3;
export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;

export async function walk(ss: SshSession, absDir: string, keyDir: string, prefix: string, out: SiteEntry[], signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const names = await ss.call<{ filename: string; attrs: { mode: number; size: number; mtime: number } }[]>((cb) => ss.sftp.readdir(absDir, cb));
  for (const d of names) {
    if (d.filename === '.' || d.filename === '..') continue;
    const key = keyDir ? `${keyDir}/${d.filename}` : d.filename;
    const type = d.attrs.mode & S_IFMT;
    if (type === S_IFDIR) {
      if ((key + '/').startsWith(prefix) || prefix.startsWith(key + '/')) {
        await walk(ss, `${absDir}/${d.filename}`, key, prefix, out, signal).catch((err) => {
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

export async function mkdirs(ss: SshSession, dir: string): Promise<void> {
  const exists = await ss.call<{ mode: number }>((cb) => ss.sftp.stat(dir, cb)).then(
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
  await mkdirs(ss, path.dirname(dir));
  // Another writer may make it at the same moment: a failed mkdir is fine if it is there now.
  await ss.call((cb) => ss.sftp.mkdir(dir, { mode: 0o755 }, cb)).catch(async (err) => {
    const st = await ss.call<{ mode: number }>((cb) => ss.sftp.stat(dir, cb)).catch(() => undefined);
    if (!st || (st.mode & S_IFMT) !== S_IFDIR) throw err;
  });
}

/** At most IN_FLIGHT promises at once; the first failure is rethrown by add() or drain(). */
export class Window {
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

