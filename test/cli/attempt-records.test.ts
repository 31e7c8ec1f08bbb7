import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ks } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';

const t = tempDir('ks-attempt-records-');
afterAll(() => t.cleanup());

/**
 * Pegasus's record parser (Pegasus.tools.kickstart_parser) reads a file from
 * its first "- invocation:" line to the end and keeps item [0] of what loads:
 * one record a file. These are the properties it relies on.
 */
function pegasusReadable(path: string): any {
  const text = readFileSync(path, 'utf8');
  expect(text.startsWith('- invocation: True\n')).toBe(true);
  const items = parse(text) as any[];
  expect(items).toHaveLength(1);
  return items[0];
}

describe('--attempt-records: every attempt of --retries visible to Pegasus', () => {
  it('writes attempt N alone to FILE.(N-1), as DAGMan keeps job.out.000; FILE still gets them all', async () => {
    const out = join(t.dir, 'job.out');
    const job = ['sh', '-c', 'echo "attempt $KICKSTART_ATTEMPT"; test "$KICKSTART_ATTEMPT" -ge 3 || exit 3'];
    const r = await ks(['-l', out, '--attempt-records', '--retries', '4', '--retry-delay', '50ms', ...job], { cwd: t.dir, recordFile: out });
    expect(r.exitCode).toBe(0);
    expect(r.records.map((x: any) => x.kickstart.attempt)).toEqual([1, 2, 3]);
    const each = ['000', '001', '002'].map((n) => pegasusReadable(`${out}.${n}`));
    expect(each.map((x) => [x.kickstart.attempt, x.kickstart.outcome, x.mainjob.status.regular_exitcode])).toEqual([
      [1, 'failed', 3],
      [2, 'failed', 3],
      [3, 'completed', 0],
    ]);
    expect(each[1].files.stdout.data).toBe('attempt 2\n');
    expect(existsSync(`${out}.003`)).toBe(false);
  });

  it('numbers from --attempt (a batch system restart) and replaces an earlier run’s file', async () => {
    const out = join(t.dir, 'restart.out');
    writeFileSync(`${out}.004`, 'stale\n');
    const r = await ks(['-l', out, '--attempt-records', '--attempt', '5', 'true'], { cwd: t.dir, recordFile: out });
    expect(r.exitCode).toBe(0);
    expect(pegasusReadable(`${out}.004`).kickstart.attempt).toBe(5);
  });

  it('needs -l FILE', async () => {
    const r = await ks(['--attempt-records', 'true'], { cwd: t.dir });
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/--attempt-records needs -l FILE/);
  });
});
