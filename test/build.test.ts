import path from 'node:path';
import { expect, it } from 'vitest';
import { mtime, root, sourceTime } from './helpers/build-setup.js';

// What the spawned tests run is what src/ says: the global set-up rebuilt it.
it('dist/cli.cjs is at least as new as everything it is built from', () => {
  expect(mtime(path.join(root, 'dist', 'cli.cjs'))).toBeGreaterThanOrEqual(sourceTime());
});
