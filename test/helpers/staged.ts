import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The bytes of a one-file generation at a file:// staging site, read the way
 * its manifest says: one data object (the layout before chunks) or its
 * chunks in order (`<job>/chunks/<sha256>`). For tests that look inside a
 * shipped checkpoint without a stage-in.
 */
export function stagedFile(jobDir: string, generation: number): Buffer {
  const name = `gen-${String(generation).padStart(6, '0')}`;
  const m = JSON.parse(readFileSync(join(jobDir, `${name}.manifest.json`), 'utf8')) as { object: { key?: string; chunks?: [string, number][] } };
  if (m.object.key) return readFileSync(join(jobDir, m.object.key));
  return Buffer.concat((m.object.chunks ?? []).map(([sha]) => readFileSync(join(jobDir, 'chunks', sha))));
}
