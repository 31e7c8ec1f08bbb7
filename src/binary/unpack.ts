import { closeSync, fchmodSync, fsyncSync, lstatSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The single-file binary carries the native addon and ks-exec as SEA assets;
 * dlopen and exec need real files, so they are written once into a private
 * cache directory and used from there on every later start.
 *
 * The directory is content-addressed (`<version>-<hash>`) and created whole
 * by one rename, so a node where 64 jobs start at once ends with one copy and
 * no start ever sees a half-written file.
 */

export interface NativeFile {
  /** File name inside the unpack directory. */
  name: string;
  data: Uint8Array;
  mode: number;
}

export interface UnpackOptions {
  /** Unpack directory name, e.g. `0.1.0-3f2a9c...`: a new build gets a new directory. */
  key: string;
  files: NativeFile[];
  /** Candidate cache roots, best first (cacheRoots()). */
  roots: string[];
  uid: number;
  /**
   * Called with the unpack directory; throws when the files cannot be used
   * there (a noexec mount refuses dlopen): the next root is tried.
   */
  check?: (dir: string) => void;
}

/**
 * Where the unpacked files may go, best first: $XDG_CACHE_HOME/kickstart,
 * ~/.cache/kickstart, then $TMPDIR/kickstart-<uid> for nodes whose home is
 * read-only or absent. Pure: reads only the given environment.
 */
export function cacheRoots(env: Record<string, string | undefined>, uid: number, tmp = tmpdir()): string[] {
  const roots: string[] = [];
  if (env.XDG_CACHE_HOME?.startsWith('/')) roots.push(join(env.XDG_CACHE_HOME, 'kickstart'));
  if (env.HOME?.startsWith('/') && env.HOME !== '/') roots.push(join(env.HOME, '.cache', 'kickstart'));
  roots.push(join(tmp, `kickstart-${uid}`));
  return roots;
}

/**
 * Returns the directory holding the files, unpacking them into the first
 * usable root. Throws one error naming every root tried and why it failed.
 */
export function unpack(o: UnpackOptions): string {
  const failures: string[] = [];
  for (const root of o.roots) {
    try {
      const dir = unpackInto(root, o);
      o.check?.(dir);
      return dir;
    } catch (e) {
      failures.push(`${root}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  throw new Error(
    `cannot unpack its native parts into a private cache directory (${failures.join('; ')}); ` +
      'set XDG_CACHE_HOME to a writable directory on a filesystem that allows exec',
  );
}

function unpackInto(root: string, o: UnpackOptions): string {
  const dir = join(root, o.key);
  if (complete(dir, o.files)) {
    ensurePrivate(root, o.uid);
    return dir;
  }
  mkdirSync(root, { recursive: true, mode: 0o700 });
  // Another user could have made /tmp/kickstart-<uid> first and planted a ks-exec.
  ensurePrivate(root, o.uid);
  const tmp = mkdtempSync(join(root, `.${o.key}.`));
  try {
    for (const f of o.files) writeFileDurably(join(tmp, f.name), f.data, f.mode);
    try {
      renameSync(tmp, dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        // A concurrent start won the race; a broken leftover is moved aside first.
        if (!complete(dir, o.files)) {
          discard(dir, root);
          renameSync(tmp, dir);
        }
      } else {
        throw e;
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** All files there with their sizes: a cleaner of old files may have removed some. */
function complete(dir: string, files: NativeFile[]): boolean {
  try {
    return files.every((f) => statSync(join(dir, f.name)).size === f.data.byteLength);
  } catch {
    return false;
  }
}

function ensurePrivate(root: string, uid: number): void {
  const st = lstatSync(root);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) {
    throw new Error(`not a directory owned by uid ${uid} and writable only by it`);
  }
}

function writeFileDurably(path: string, data: Uint8Array, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    fchmodSync(fd, mode); // whatever the umask: ks-exec must be executable
    let off = 0;
    while (off < data.byteLength) off += writeSync(fd, data, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Renames a directory aside (atomic for the starts that look at it) and removes it. */
function discard(dir: string, root: string): void {
  const aside = mkdtempSync(join(root, '.discard.'));
  try {
    renameSync(dir, join(aside, 'old'));
  } catch {
    /* gone already, or replaced by a concurrent start */
  }
  rmSync(aside, { recursive: true, force: true });
}
