import { promises as fsp, type Stats } from 'node:fs';
import path from 'node:path';
import { globBase, insideRel, isGlob, segmentRegExp } from './paths.js';
import type { EntryType } from './manifest.js';

/** What --checkpoint values resolve to: every file, directory and symlink, parents first. */
export interface Collected {
  entries: CollectedEntry[];
  /** Declared paths (or globs) that matched nothing. */
  missing: string[];
  /** Things that cannot be checkpointed (sockets, fifos, devices). */
  skipped: string[];
}

export interface CollectedEntry {
  /** The manifest path: relative to cwd, '/'-separated; absolute when outside cwd. */
  path: string;
  abs: string;
  type: EntryType;
  size: number;
  mode: number;
  /** ms since the epoch, as lstat gave it (the manifest takes the read's own stat). */
  mtimeMs: number;
  /** Tells a file replaced by a rename from one rewritten in place (live shipping). */
  ino: number;
  /**
   * Birth time: a file renamed in may reuse the inode number of the one it
   * replaced (two alternating temp files do), but it is born anew.
   */
  birthtimeMs: number;
  target?: string;
  /**
   * Declared by --checkpoint-with: an append-only file that rides along with
   * the checkpoint. It never triggers live shipping and is read up to the
   * size it has when its turn comes (see readSource's `companion`).
   */
  companion?: boolean;
  /**
   * Matched by a glob: one of a family of files that come and go (a new
   * checkpoint file per period). Live shipping leaves a new one out until it
   * is complete instead of waiting for it.
   */
  family?: boolean;
  /**
   * Live shipping: the state the checkpoint was complete in. A file found
   * changed in place since then is being rewritten and is not read (see
   * openSource); one replaced by a rename is a newer complete version.
   */
  expect?: { ino: number; birthtimeMs?: number; size: number; mtimeMs: number };
}

/** Stage-in's scratch folders: never part of a checkpoint. */
export const SCRATCH_PREFIX = '.kickstart-stage-in-';

/**
 * Resolves files, directories and globs relative to `cwd`. Symlinks are
 * taken as links (lstat), never followed, neither at the top nor inside
 * directories. Paths outside `cwd` must have been allowed by the caller
 * (checkCheckpointPaths).
 */
export async function collect(specs: string[], cwd: string, companions: string[] = []): Promise<Collected> {
  const out: Collected = { entries: [], missing: [], skipped: [] };
  const byPath = new Map<string, CollectedEntry>();
  // Companions last: a path declared both ways is a companion (the narrower declaration).
  for (const [list, companion] of [[specs, false], [companions, true]] as const) {
    for (const spec of list) {
      const roots = isGlob(spec) ? await expandGlob(spec, cwd) : [path.resolve(cwd, spec)];
      let found = 0;
      for (const abs of roots) {
        const st = await lstatOrUndefined(abs);
        if (!st) continue;
        found++;
        await add(abs, st, byPath, cwd, out.skipped, companion, isGlob(spec));
      }
      if (found === 0) out.missing.push(spec);
    }
  }
  out.entries = [...byPath.values()].sort((a, b) => cmpPath(a.path, b.path));
  return out;
}

/**
 * The order a generation reads its entries in: the checkpoint proper (and
 * every directory) first, companions after. A companion is opened only once
 * every checkpoint file was read whole, so it is at least as long as any
 * length the checkpoint recorded: the set is consistent without settling.
 */
export function readOrder(entries: CollectedEntry[]): CollectedEntry[] {
  const late = (e: CollectedEntry) => e.companion === true && e.type !== 'dir';
  return [...entries.filter((e) => !late(e)), ...entries.filter(late)];
}

/** Whether anything but companions was found: companions alone are no checkpoint to restart from. */
export function hasCheckpoint(entries: CollectedEntry[]): boolean {
  return entries.some((e) => !e.companion);
}

async function add(abs: string, st: Stats, byPath: Map<string, CollectedEntry>, cwd: string, skipped: string[], companion: boolean, family: boolean): Promise<void> {
  const rel = insideRel(cwd, abs);
  const p = rel === undefined ? abs : rel;
  const type: EntryType | undefined = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : undefined;
  if (!type) {
    skipped.push(p || '.');
    return;
  }
  const known = byPath.get(p);
  if (known && companion) known.companion = true;
  // The working directory itself is the root, not an entry.
  if (p !== '' && !known) {
    const e: CollectedEntry = {
      path: p,
      abs,
      type,
      size: type === 'file' ? st.size : 0,
      mode: st.mode & 0o7777,
      mtimeMs: st.mtimeMs,
      ino: st.ino,
      birthtimeMs: st.birthtimeMs,
    };
    if (type === 'symlink') e.target = await fsp.readlink(abs);
    if (companion) e.companion = true;
    if (family) e.family = true;
    byPath.set(p, e);
  }
  if (type !== 'dir') return;
  let names: string[];
  try {
    names = await fsp.readdir(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const name of names.sort()) {
    if (name.startsWith(SCRATCH_PREFIX)) continue;
    const child = path.join(abs, name);
    const cst = await lstatOrUndefined(child);
    if (cst) await add(child, cst, byPath, cwd, skipped, companion, family);
  }
}

/** Every existing path a glob matches; `**` spans directories, symlinked directories are not entered. */
export async function expandGlob(spec: string, cwd: string): Promise<string[]> {
  const { base, rest } = globBase(spec);
  const out: string[] = [];
  await walk(path.resolve(cwd, base), rest, out);
  return [...new Set(out)].sort();
}

async function walk(dir: string, rest: string[], out: string[]): Promise<void> {
  if (rest.length === 0) {
    if (await lstatOrUndefined(dir)) out.push(dir);
    return;
  }
  const [seg, ...tail] = rest;
  if (seg === '**') {
    await walk(dir, tail, out);
    for (const d of await dirents(dir)) {
      if (d.isDirectory() && !d.name.startsWith('.')) await walk(path.join(dir, d.name), rest, out);
    }
    return;
  }
  if (!isGlob(seg)) {
    await walk(path.join(dir, seg), tail, out);
    return;
  }
  const re = segmentRegExp(seg);
  for (const d of await dirents(dir)) {
    if (!re.test(d.name) || d.name.startsWith(SCRATCH_PREFIX)) continue;
    if (tail.length > 0 && !d.isDirectory()) continue;
    await walk(path.join(dir, d.name), tail, out);
  }
}

async function dirents(dir: string) {
  try {
    return (await fsp.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  } catch {
    return [];
  }
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fsp.lstat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** Parents sort before their children: compare as if '/' were the smallest character. */
export function cmpPath(a: string, b: string): number {
  const x = a.replaceAll('/', '\0');
  const y = b.replaceAll('/', '\0');
  return x < y ? -1 : x > y ? 1 : 0;
}
