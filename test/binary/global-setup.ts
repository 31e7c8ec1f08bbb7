import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The binary project: builds dist/kickstart-<platform>-<arch> when it is
 * missing or older than anything it is made from, and dist/cli.cjs (the npm
 * bin the scenarios compare it with) alike.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// scripts/ whole: the build scripts and the esbuild plugins they share.
const inputs = ['src', 'scripts', 'build/Release/kickstart.node', 'build/Release/ks-exec', 'package.json'];

function newest(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(p).map((e) => newest(path.join(p, e))));
}

function mtime(p: string): number {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

export default function setup(): void {
  const source = Math.max(...inputs.map((p) => newest(path.join(root, p))));
  if (mtime(path.join(root, 'dist', 'cli.cjs')) < source) {
    execFileSync(process.execPath, ['scripts/build.mjs', '--no-types'], { cwd: root, stdio: 'inherit' });
  }
  if (mtime(path.join(root, 'dist', `kickstart-${process.platform}-${process.arch}`)) < source) {
    execFileSync(process.execPath, ['scripts/build-binary.mjs'], { cwd: root, stdio: 'inherit' });
  }
}
