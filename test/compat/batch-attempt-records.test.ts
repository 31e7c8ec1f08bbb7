import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ks } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';

// Issue #12, item 6: with --retries every attempt is visible to Pegasus's
// record parser, which reads one record a file. A batch line means what it
// means on the command line, so a line's `-l FILE --attempt-records` writes
// FILE.000, FILE.001, ... as a single run does (it was silently ignored).
const t = tempDir('ks-batch-attempts-');
afterAll(() => t.cleanup());

function alone(path: string): any {
  const text = readFileSync(path, 'utf8');
  expect(text.startsWith('- invocation: True\n')).toBe(true);
  const items = parse(text) as any[];
  expect(items).toHaveLength(1);
  return items[0];
}

describe('kickstart batch: a line with -l FILE --attempt-records', () => {
  it('writes each attempt alone to FILE.NNN; FILE gets them all, the batch output the task line', async () => {
    const task = join(t.dir, 'task.out');
    const tasks = join(t.dir, 'tasks.txt');
    writeFileSync(
      tasks,
      `-l ${task} --attempt-records --retries 2 --retry-delay 50ms sh -c 'echo "attempt $KICKSTART_ATTEMPT"; test "$KICKSTART_ATTEMPT" -ge 2 || exit 3'\n`,
    );
    const out = join(t.dir, 'batch.out');
    const r = await ks(['batch', '-l', out, tasks], { cwd: t.dir });
    expect(r.exitCode).toBe(0);
    expect((parse(readFileSync(task, 'utf8')) as any[]).map((x) => x.kickstart.attempt)).toEqual([1, 2]);
    const each = ['000', '001'].map((n) => alone(`${task}.${n}`));
    expect(each.map((x) => [x.kickstart.attempt, x.kickstart.outcome, x.files.stdout.data])).toEqual([
      [1, 'failed', 'attempt 1\n'],
      [2, 'completed', 'attempt 2\n'],
    ]);
    expect(existsSync(`${task}.002`)).toBe(false);
    expect(readFileSync(out, 'utf8')).toMatch(/^\[cluster-task id=1, .*status=0, line=1,/);
  });

  it('without -l the line is refused, as on the command line', async () => {
    const tasks = join(t.dir, 'no-l.txt');
    writeFileSync(tasks, '--attempt-records true\n');
    const r = await ks(['batch', tasks], { cwd: t.dir });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toMatch(/line 1: .*--attempt-records needs -l FILE/);
  });
});
