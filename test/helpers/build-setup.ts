import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Tests that run kickstart as users do spawn bin/kickstart.cjs, which runs
 * dist/cli.cjs: a global set-up of every project rebuilds dist/ when
 * anything it is made from is newer, so a test never passes against an old
 * build of changed sources.
 */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// scripts/ whole: the build scripts and the esbuild plugins they share.
export const inputs = ['src', 'scripts', 'build/Release/kickstart.node', 'build/Release/ks-exec', 'package.json'];

export function newest(p: string): number {
  let st;
  try {
    st = statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(p).map((e) => newest(path.join(p, e))));
}

export function mtime(p: string): number {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

/** The newest input's mtime. */
export const sourceTime = () => Math.max(...inputs.map((p) => newest(path.join(root, p))));

/** Rebuilds dist/ (without declarations) when dist/cli.cjs is older than the sources. */
export function buildIfStale(): void {
  if (mtime(path.join(root, 'dist', 'cli.cjs')) < sourceTime()) {
    execFileSync(process.execPath, ['scripts/build.mjs', '--no-types'], { cwd: root, stdio: 'inherit' });
  }
}

export default function setup(): void {
  buildIfStale();
}
