import { execa } from 'execa';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BIN } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';

const t = tempDir('ks-batch-');
afterAll(t.cleanup);
let n = 0;

interface Batch {
  exitCode: number;
  stderr: string;
  /** Each task as written: its records, then its [cluster-task] line, in output order. */
  tasks: { records: any[]; line: Record<string, string> }[];
  summary: Record<string, string>;
  ms: number;
}

/** pegasus-cluster's key=value pairs of one bracketed line. */
function keys(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/(\w+)=("([^"]*)"|[^,\]]+)/g)) out[m[1]!] = m[3] ?? m[2]!;
  return out;
}

function readBatch(text: string): Omit<Batch, 'exitCode' | 'stderr' | 'ms'> {
  const tasks: Batch['tasks'] = [];
  let summary: Record<string, string> = {};
  let yaml = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('[cluster-task ')) {
      tasks.push({ records: yaml.trim() ? (parse(yaml) as any[]) : [], line: keys(line) });
      yaml = '';
    } else if (line.startsWith('[cluster-summary ')) summary = keys(line);
    else yaml += line + '\n';
  }
  return { tasks, summary };
}

async function batch(lines: string[], args: string[] = [], opts: { stdin?: boolean } = {}): Promise<Batch> {
  const file = join(t.dir, `tasks-${++n}.txt`);
  writeFileSync(file, lines.join('\n') + '\n');
  const out = join(t.dir, `out-${n}.yml`);
  const t0 = Date.now();
  const r = await execa(process.execPath, [BIN, 'batch', '-l', out, ...args, opts.stdin ? '-' : file], {
    cwd: t.dir,
    reject: false,
    inputFile: opts.stdin ? file : undefined,
    stdin: opts.stdin ? undefined : 'ignore',
    env: { KICKSTART_LOG_LEVEL: undefined },
    timeout: 60_000,
  });
  const ms = Date.now() - t0;
  return { exitCode: r.exitCode ?? -1, stderr: String(r.stderr), ms, ...readBatch(existsSync(out) ? readFileSync(out, 'utf8') : '') };
}

describe('kickstart batch', () => {
  it('runs the lines in order, each with its own complete record and task line', async () => {
    const r = await batch(['# a comment', '', 'echo one', "-n second sh -c 'echo \"two  words\"'", 'kickstart -H /bin/echo three']);
    expect(r.exitCode).toBe(0);
    expect(r.tasks.map((x) => x.line.id)).toEqual(['1', '2', '3']);
    expect(r.tasks.map((x) => x.line.line)).toEqual(['3', '4', '5']);
    expect(r.tasks.map((x) => x.records.length)).toEqual([1, 1, 1]);
    const recs = r.tasks.map((x) => x.records[0]);
    expect(recs.map((x) => x.files.stdout.data)).toEqual(['one\n', 'two  words\n', 'three\n']);
    expect(recs[1].transformation).toBe('second');
    expect(recs[2].machine).toBeUndefined();
    expect(recs[0].machine).toBeTypeOf('object');
    for (const [i, x] of r.tasks.entries()) {
      expect(x.line.status).toBe('0');
      expect(Number(x.line.pid)).toBe(recs[i].mainjob.pid);
      expect(recs[i].mainjob.status.raw).toBe(0);
    }
    expect(r.summary).toMatchObject({ stat: 'ok', lines: '5', tasks: '3', succeeded: '3', failed: '0', extra: '0' });
  });

  it('-j 3 runs three 1 s tasks at once; -j 1 one after another', async () => {
    const lines = ['sleep 1', 'sleep 1', 'sleep 1'];
    const par = await batch(lines, ['-j', '3']);
    const seq = await batch(lines, ['-j', '1']);
    expect(par.exitCode).toBe(0);
    expect(par.summary).toMatchObject({ tasks: '3', succeeded: '3' });
    expect(seq.ms).toBeGreaterThanOrEqual(3000);
    expect(par.ms).toBeLessThan(seq.ms - 1200);
    // Started together: the starts lie within a fraction of a task's length.
    const starts = par.tasks.map((x) => Date.parse(x.line.start!));
    expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(600);
    // More tasks than libuv's 4 default pool threads, each blocking one in a read.
    const six = await batch(Array(6).fill('sleep 1'), ['-j', '6']);
    expect(six.summary).toMatchObject({ tasks: '6', succeeded: '6' });
    expect(six.ms).toBeLessThan(3000);
  });

  it('tasks side by side keep their own trees: one task leaving a process does not kill the other', async () => {
    const r = await batch(['--linger-grace 100ms sh -c "sleep 30 & exit 0"', 'sleep 1'], ['-j', '2']);
    expect(r.exitCode).toBe(0);
    const sleeper = r.tasks.find((x) => x.line.app === 'sleep')!;
    expect(sleeper.records[0].mainjob.status.raw).toBe(0);
    const leaver = r.tasks.find((x) => x.line.app === 'sh')!;
    expect(leaver.records[0].kickstart.lingering?.length ?? 0).toBeGreaterThan(0);
  });

  it('by default a failure does not stop the batch: every task runs, the summary says fail, exit 5', async () => {
    const r = await batch(['true', 'sh -c "exit 3"', 'echo after']);
    expect(r.exitCode).toBe(5);
    expect(r.tasks.map((x) => x.line.status)).toEqual(['0', String(3 << 8), '0']);
    expect(r.tasks[2]!.records[0].files.stdout.data).toBe('after\n');
    expect(r.summary).toMatchObject({ stat: 'fail', tasks: '3', succeeded: '2', failed: '1' });
  });

  it('-f stops at the first failure: later lines never start', async () => {
    const marker = join(t.dir, 'never');
    const r = await batch(['true', 'false', `touch ${marker}`], ['-f']);
    expect(r.exitCode).toBe(5);
    expect(r.tasks).toHaveLength(2);
    expect(existsSync(marker)).toBe(false);
    expect(r.summary).toMatchObject({ stat: 'fail', tasks: '2', succeeded: '1', failed: '1', lines: '2' });
  });

  it('-e runs everything and exits 0; -S counts an exit code as success', async () => {
    const e = await batch(['false', 'true'], ['-e']);
    expect(e.exitCode).toBe(0);
    expect(e.summary).toMatchObject({ stat: 'fail', failed: '1' });
    const s = await batch(['sh -c "exit 7"', 'true'], ['-S', '7']);
    expect(s.exitCode).toBe(0);
    expect(s.summary).toMatchObject({ stat: 'ok', succeeded: '2', failed: '0' });
    const both = await batch(['true'], ['-e', '-f']);
    expect(both.exitCode).toBe(127);
    expect(both.stderr).toMatch(/-f .* -e .*use one/);
  });

  it('deadlines are per task: -k on one line signals only that task, at its own start', async () => {
    const r = await batch(['-k 1 -K 1 sleep 30', 'sleep 1.5'], ['-j', '2']);
    const [killed, calm] = [r.tasks.find((x) => x.line.line === '1')!, r.tasks.find((x) => x.line.line === '2')!];
    expect(killed.records[0].kickstart.signals[0]).toMatchObject({ signal: 'SIGTERM', reason: 'checkpoint-time' });
    expect(killed.records[0].mainjob.duration).toBeGreaterThan(0.9);
    expect(killed.records[0].mainjob.duration).toBeLessThan(3);
    expect(calm.records[0].mainjob.status.raw).toBe(0);
    expect(calm.records[0].kickstart.signals).toEqual([]);
  });

  it('--retries is per task: every attempt record comes before the task line', async () => {
    const count = join(t.dir, 'count');
    // Fails twice, then succeeds: the attempt number is counted in a file.
    const r = await batch([`--retries 3 sh -c 'echo x >> ${count}; test $(wc -l < ${count}) -ge 3'`, 'true']);
    expect(r.exitCode).toBe(0);
    expect(r.tasks[0]!.records.map((x) => x.kickstart.attempt)).toEqual([1, 2, 3]);
    expect(r.tasks[1]!.records).toHaveLength(1);
  });

  it('checkpoints are per task: a line with --checkpoint and --staging ships its own file', async () => {
    const staging = join(t.dir, 'staging');
    const r = await batch([`--checkpoint ck-a --staging file://${staging} --job-id a sh -c 'echo A > ck-a'`, `--checkpoint ck-b --staging file://${staging} --job-id b sh -c 'echo B > ck-b'`], ['-j', '2']);
    expect(r.exitCode).toBe(0);
    for (const x of r.tasks) expect(x.records[0].kickstart.stage_out).toMatchObject({ result: 'ok', direction: 'out' });
    expect(existsSync(join(staging, 'a'))).toBe(true);
    expect(existsSync(join(staging, 'b'))).toBe(true);
  });

  it('a bad line is an error naming it; the other tasks run and the batch fails', async () => {
    const r = await batch(['echo first', `echo 'unclosed`, '--frobnicate true', '--staging file:///tmp/x true', 'echo last']);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toMatch(/^kickstart batch: line 2: unterminated ' quote/m);
    expect(r.stderr).toMatch(/^kickstart batch: line 3: unknown option '--frobnicate'/m);
    expect(r.stderr).toMatch(/^kickstart batch: line 4: --staging needs at least one --checkpoint/m);
    expect(r.tasks.map((x) => x.line.status)).toEqual(['0', String(127 << 8), String(127 << 8), String(127 << 8), '0']);
    expect(r.tasks[4]!.records[0].files.stdout.data).toBe('last\n');
    expect(r.summary).toMatchObject({ stat: 'fail', tasks: '5', succeeded: '2', failed: '3' });
  });

  it("'-' reads the tasks from stdin; a missing file is one usage line", async () => {
    const r = await batch(['echo from-stdin'], [], { stdin: true });
    expect(r.exitCode).toBe(0);
    expect(r.tasks[0]!.records[0].files.stdout.data).toBe('from-stdin\n');
    const m = await execa(process.execPath, [BIN, 'batch', join(t.dir, 'nope.txt')], { reject: false });
    expect(m.exitCode).toBe(127);
    expect(m.stderr).toMatch(/^kickstart: cannot read the task list .*nope\.txt: ENOENT/);
  });

  it("a line's own -l puts its record there; its task line stays in the batch output", async () => {
    const own = join(t.dir, 'own.yml');
    const r = await batch([`-l ${own} echo mine`, 'echo shared']);
    expect(r.exitCode).toBe(0);
    expect(r.tasks[0]!.records).toHaveLength(0);
    expect((parse(readFileSync(own, 'utf8')) as any[])[0].files.stdout.data).toBe('mine\n');
    expect(r.tasks[1]!.records[0].files.stdout.data).toBe('shared\n');
  });
});
