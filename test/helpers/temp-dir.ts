import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/**
 * The tests' one temp directory helper: a fresh directory under TMPDIR,
 * removed when the test file ends, or before by cleanup(). Global set-ups
 * (no test file around them) make their own.
 */
const made = new Set<string>();
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
  made.clear();
});

export interface TempDir {
  dir: string;
  cleanup: () => void;
}

export function tempDir(label = 'test'): TempDir {
  const dir = mkdtempSync(path.join(tmpdir(), `kickstart-${label.replace(/[^\w.-]+/g, '').replace(/-+$/, '')}-`));
  made.add(dir);
  return {
    dir,
    cleanup: () => {
      made.delete(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
