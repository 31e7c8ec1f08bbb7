import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { buildIfStale, mtime, root, sourceTime } from '../helpers/build-setup.js';

/**
 * The binary project: builds dist/kickstart-<platform>-<arch> when it is
 * missing or older than anything it is made from, and dist/cli.cjs (the npm
 * bin the scenarios compare it with) alike.
 */
export default function setup(): void {
  buildIfStale();
  if (mtime(path.join(root, 'dist', `kickstart-${process.platform}-${process.arch}`)) < sourceTime()) {
    execFileSync(process.execPath, ['scripts/build-binary.mjs'], { cwd: root, stdio: 'inherit' });
  }
}
