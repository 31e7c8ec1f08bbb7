import path from 'node:path';
import { collect } from './collect.js';
import type { FileState, Snapshot } from './live-policy.js';
import { globBase, isGlob } from './paths.js';

/** More directories than this are left to the stat poll: each watch costs an inotify watch. */
const MAX_WATCHES = 64;

/** The declared paths as they are now, and the directories whose events announce a change. */
export async function snapshot(checkpoints: string[], cwd: string, companions: string[] = []): Promise<{ snap: Snapshot; dirs: string[] }> {
  const found = await collect(checkpoints, cwd, companions);
  const snap = new Map<string, FileState>();
  const dirs = new Set<string>();
  for (const spec of [...checkpoints, ...companions]) {
    const abs = path.resolve(cwd, isGlob(spec) ? globBase(spec).base : spec);
    dirs.add(isGlob(spec) ? abs : path.dirname(abs));
  }
  for (const e of found.entries) {
    snap.set(e.path, { type: e.type, ino: e.ino, birthtimeMs: e.birthtimeMs, size: e.size, mtimeMs: e.mtimeMs, ...(e.companion ? { companion: true } : {}), ...(e.family ? { family: true } : {}) });
    dirs.add(e.type === 'dir' ? e.abs : path.dirname(e.abs));
  }
  return { snap, dirs: [...dirs].slice(0, MAX_WATCHES) };
}

