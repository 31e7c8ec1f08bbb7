import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, expect } from 'vitest';
import { FIXTURES, ks, type KsRun } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * pegasus-kickstart's test.sh, case by case: each case runs in a copy of
 * test/fixtures/pegasus-suite (our own rewrites of its helper files), and
 * every record must load as YAML, as the suite's validator checks.
 */
export function suiteDir(): { dir: string; cleanup: () => void } {
  const t = tempDir('ks-compat-');
  cpSync(join(FIXTURES, 'pegasus-suite'), t.dir, { recursive: true });
  return t;
}

/** A fresh copy of the suite's files for one test file: call at its top, read the directory in tests. */
export function useSuiteDir(): () => string {
  let t: { dir: string; cleanup: () => void } | undefined;
  beforeAll(() => {
    t = suiteDir();
  });
  afterAll(() => t?.cleanup());
  return () => t!.dir;
}

export async function kickstart(args: string[], opts: Parameters<typeof ks>[1] = {}): Promise<KsRun> {
  const r = await ks(args, opts);
  // The suite's yaml-validator: an empty stdout loads too (as None).
  expect(() => parse(r.stdout), `stdout is not YAML:\n${r.stdout.slice(0, 2000)}`).not.toThrow();
  return r;
}
