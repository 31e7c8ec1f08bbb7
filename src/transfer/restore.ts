import { promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ancestors, destination } from './paths.js';
import { cmpPath } from './collect.js';
import type { Manifest, ManifestEntry } from './manifest.js';

/** Restored modes never carry setuid/setgid. */
const MODE_MASK = 0o1777;

/**
 * Puts a verified generation in place below `cwd`: each file is renamed from
 * the scratch folder over its destination (atomic per file), symlinks are
 * created as links (never followed), directories get their modes and mtimes
 * last, deepest first. Inside the checkpoint, nothing is ever written through
 * a symlink: a path the manifest calls a directory must be one (a link or
 * file there is replaced), and any other in-between link is refused.
 */
export async function placeGeneration(m: Manifest, cwd: string, temp: Map<string, string>): Promise<void> {
  const entries = [...m.entries].sort((a, b) => cmpPath(a.path, b.path));
  const declaredDirs = new Set(entries.filter((e) => e.type === 'dir').map((e) => e.path));
  const dirs: ManifestEntry[] = [];
  for (const e of entries) {
    const dest = destination(cwd, e.path);
    await prepareParents(e.path, cwd, declaredDirs);
    if (e.type === 'dir') {
      await ensureDir(dest, e.path);
      dirs.push(e);
    } else if (e.type === 'file') {
      const src = temp.get(e.path);
      if (!src) throw new Error(`internal: no fetched copy of '${e.path}'`);
      await fsp.chmod(src, e.mode & MODE_MASK);
      await fsp.utimes(src, e.mtime, e.mtime);
      await notADir(dest, e.path);
      await moveInto(src, dest);
    } else {
      await notADir(dest, e.path);
      const tmp = `${dest}.kickstart-${randomBytes(4).toString('hex')}`;
      await fsp.symlink(e.target!, tmp);
      await fsp.rename(tmp, dest);
      await fsp.lutimes(dest, e.mtime, e.mtime).catch(() => {});
    }
  }
  for (const d of dirs.reverse()) {
    const dest = destination(cwd, d.path);
    await fsp.chmod(dest, d.mode & MODE_MASK);
    await fsp.utimes(dest, d.mtime, d.mtime);
  }
}

/**
 * Ancestors above the checkpoint (e.g. `out/` for `out/state.ckpt`) are the
 * job's own and are created as needed, links and all; from the first
 * declared directory down, every ancestor must be a real directory.
 */
async function prepareParents(p: string, cwd: string, declaredDirs: Set<string>): Promise<void> {
  const ups = ancestors(p);
  let inside = false;
  for (const a of ups) {
    inside ||= declaredDirs.has(a);
    const dest = destination(cwd, a);
    if (!inside) {
      await fsp.mkdir(dest, { recursive: true, mode: 0o755 }).catch(async (err) => {
        const st = await fsp.stat(dest).catch(() => undefined);
        if (!st?.isDirectory()) throw err;
      });
      continue;
    }
    const st = await fsp.lstat(dest).catch(() => undefined);
    if (st?.isDirectory()) continue;
    if (st && !declaredDirs.has(a)) throw new Error(`'${a}' is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'}; refusing to restore '${p}' through it`);
    // Declared directories are created by ensureDir in order; this covers gaps.
    await ensureDir(dest, a);
  }
}

async function ensureDir(dest: string, shown: string): Promise<void> {
  const st = await fsp.lstat(dest).catch(() => undefined);
  if (st?.isDirectory()) return;
  if (st) {
    // A file or a link where the checkpoint has a directory: the checkpoint wins, the link is not followed.
    await fsp.unlink(dest).catch((err) => {
      throw new Error(`cannot replace '${shown}' with a directory: ${(err as Error).message}`);
    });
  }
  await fsp.mkdir(dest, { mode: 0o700 });
}

async function notADir(dest: string, shown: string): Promise<void> {
  const st = await fsp.lstat(dest).catch(() => undefined);
  if (st?.isDirectory()) throw new Error(`cannot restore '${shown}': a directory is in the way`);
}

async function moveInto(src: string, dest: string): Promise<void> {
  try {
    await fsp.rename(src, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    // Another filesystem (a checkpoint outside the working directory): copy beside, then rename.
    const tmp = `${dest}.kickstart-${randomBytes(4).toString('hex')}`;
    await fsp.copyFile(src, tmp);
    const st = await fsp.stat(src);
    await fsp.chmod(tmp, st.mode & MODE_MASK);
    await fsp.utimes(tmp, st.atime, st.mtime);
    await fsp.rename(tmp, dest);
    await fsp.rm(src, { force: true });
  }
}
