import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ks } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';

const t = tempDir();
afterAll(t.cleanup);

describe('the main job', () => {
  it('echo hello world: exit 0, record with status, usage, executable and captured stdout', async () => {
    const r = await ks(['echo', 'hello', 'world']);
    expect(r.exitCode).toBe(0);
    expect(r.records).toHaveLength(1);
    const rec = r.record;
    expect(rec.invocation).toBe(true);
    expect(String(rec.version)).toBe('3');
    expect(rec.mainjob.status).toEqual({ raw: 0, regular_exitcode: 0 });
    expect(rec.mainjob.executable.file_name).toMatch(/\/echo$/);
    expect(rec.mainjob.argument_vector).toEqual(['hello', 'world']);
    expect(rec.files.stdout.data).toBe('hello world\n');
    expect(rec.files.stdout.data_truncated).toBe(false);
    expect(rec.files.stdin.file_name).toBe('/dev/null');
    expect(rec.mainjob.usage.maxrss).toBeGreaterThan(0);
    expect(rec.kickstart.outcome).toBe('completed');
    // The temp files are removed afterwards.
    expect(existsSync(rec.files.stdout.temporary_name)).toBe(false);
    expect(existsSync(rec.files.stderr.temporary_name)).toBe(false);
  });

  it("exit code and stderr pass through: sh -c 'echo out; echo err >&2; exit 3'", async () => {
    const r = await ks(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.exitCode).toBe(3);
    expect(r.record.mainjob.status).toEqual({ raw: 768, regular_exitcode: 3 });
    expect(r.record.files.stdout.data).toBe('out\n');
    expect(r.record.files.stderr.data).toBe('err\n');
    // A failure writes the full record: environment and limits.
    expect(r.record.environment).toBeTypeOf('object');
    expect(r.record.limits.RLIMIT_NOFILE_soft).toBeDefined();
    expect(r.record.kickstart.outcome).toBe('failed');
  });

  it('a job killed by a signal: 128+N and signalled_* keys', async () => {
    const r = await ks(['sh', '-c', 'kill -SEGV $$']);
    expect(r.exitCode).toBe(128 + 11);
    expect(r.record.mainjob.status.signalled_signal).toBe(11);
    expect(r.record.mainjob.status.singalled_name).toBe('Segmentation fault');
    expect(r.record.mainjob.status.raw & 0x7f).toBe(11);
  });

  it('a missing executable: 127, and a record with failure_error', async () => {
    const r = await ks(['/nonexistent/foo']);
    expect(r.exitCode).toBe(127);
    expect(r.record.mainjob.status.raw).toBe(-127);
    expect(r.record.mainjob.status.failure_error).toMatch(/^2 +No such file or directory/);
    expect(r.record.mainjob.executable).toMatchObject({ error: 2, file_name: '/nonexistent/foo' });
    const r2 = await ks(['no-such-command-kickstart']);
    expect(r2.exitCode).toBe(127);
  });

  it('a file that is not executable: 126; -X makes it runnable', async () => {
    const script = join(t.dir, 'noexec.sh');
    writeFileSync(script, '#!/bin/sh\necho ran\n', { mode: 0o644 });
    const r = await ks([script]);
    expect(r.exitCode).toBe(126);
    expect(r.record.mainjob.status.raw).toBe(-126);
    expect(r.record.mainjob.status.failure_error).toMatch(/^13 +Permission denied/);
    const r2 = await ks(['-X', script]);
    expect(r2.exitCode).toBe(0);
    expect(r2.record.files.stdout.data).toBe('ran\n');
    expect(statSync(script).mode & 0o111).not.toBe(0);
  });

  it('arguments pass through untouched: quotes, $$, ${UNSET}, a lone quote, UTF-8', async () => {
    const args = ["it's", '"quoted"', '$$', '${UNSET}', "'", 'naïve ☃ 日本', 'a\\b', '', ' lead', 'tab\there'];
    const r = await ks(['printf', '%s\\n', ...args]);
    expect(r.exitCode).toBe(0);
    expect(r.record.mainjob.argument_vector).toEqual(['%s\\n', ...args]);
    expect(r.record.files.stdout.data).toBe(args.map((a) => a + '\n').join(''));
  });

  it('a 127 KiB argument', async () => {
    const big = 'x'.repeat(127 * 1024);
    const r = await ks(['sh', '-c', 'printf %s "$1" | wc -c', 'sh', big]);
    expect(r.exitCode).toBe(0);
    expect(r.record.mainjob.argument_vector[3]).toBe(big);
    expect(r.record.files.stdout.data.trim()).toBe(String(big.length));
  });

  it('-I reads arguments from a file, one per line', async () => {
    const file = join(t.dir, 'args.txt');
    writeFileSync(file, 'sh\n-c\necho "from argfile" $0\nzero word\n');
    const r = await ks(['-I', file]);
    expect(r.exitCode).toBe(0);
    expect(r.record.mainjob.argument_vector).toEqual(['-c', 'echo "from argfile" $0', 'zero word']);
    expect(r.record.files.stdout.data).toBe('from argfile zero word\n');
    const missing = await ks(['-I', join(t.dir, 'none.txt')]);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toMatch(/argument file .* \(-I\)/);
  });

  it('-B keeps the last N bytes, marks truncation; -B all keeps everything', async () => {
    const r = await ks(['-B', '10', 'sh', '-c', 'printf 0123456789abcdefghij']);
    expect(r.record.files.stdout.data).toBe('abcdefghij');
    expect(r.record.files.stdout.data_truncated).toBe(true);
    expect(r.record.files.stdout.size).toBe(20);
    const all = await ks(['-B', 'all', 'sh', '-c', 'head -c 300000 /dev/zero | tr "\\0" y']);
    expect(all.record.files.stdout.data).toHaveLength(300000);
    expect(all.record.files.stdout.data_truncated).toBe(false);
    const dflt = await ks(['sh', '-c', 'head -c 300000 /dev/zero | tr "\\0" y']);
    expect(dflt.record.files.stdout.data).toHaveLength(256 * 1024);
    expect(dflt.record.files.stdout.data_truncated).toBe(true);
  });

  it('-q drops the data on success and keeps it on failure', async () => {
    const ok = await ks(['-q', 'echo', 'quiet']);
    expect(ok.record.files.stdout.data).toBeUndefined();
    expect(ok.record.files.stdout.size).toBe(6);
    const bad = await ks(['-q', 'sh', '-c', 'echo loud; exit 1']);
    expect(bad.exitCode).toBe(1);
    expect(bad.record.files.stdout.data).toBe('loud\n');
  });

  it('-o/-e name files: truncate, !append, ^rotate; -i feeds stdin; - inherits', async () => {
    const out = join(t.dir, 'app.out');
    writeFileSync(out, 'old\n');
    let r = await ks(['-o', out, 'echo', 'to-file']);
    expect(readFileSync(out, 'utf8')).toBe('to-file\n');
    expect(r.record.files.stdout.file_name).toBe(out);
    expect(r.record.files.stdout.data).toBeUndefined();
    r = await ks(['-o', '!' + out, 'echo', 'more']);
    expect(readFileSync(out, 'utf8')).toBe('to-file\nmore\n');
    r = await ks(['-o', '^' + out, 'echo', 'fresh']);
    expect(readFileSync(out, 'utf8')).toBe('fresh\n');
    expect(readFileSync(out + '.000', 'utf8')).toBe('to-file\nmore\n');
    r = await ks(['-o', '^' + out, 'echo', 'fresher']);
    expect(readFileSync(out + '.001', 'utf8')).toBe('fresh\n');
    const err = join(t.dir, 'app.err');
    r = await ks(['-e', err, 'sh', '-c', 'echo oops >&2']);
    expect(readFileSync(err, 'utf8')).toBe('oops\n');
    const input = join(t.dir, 'in.txt');
    writeFileSync(input, 'fed\n');
    r = await ks(['-i', input, 'cat']);
    expect(r.record.files.stdout.data).toBe('fed\n');
    expect(r.record.files.stdin.file_name).toBe(input);
    r = await ks(['-o', '-', 'echo', 'inherited']);
    expect(r.stdout.startsWith('inherited\n')).toBe(true);
  });

  it('-l appends records to a file: two runs make a two-item list', async () => {
    const file = join(t.dir, 'records.yml');
    const a = await ks(['-l', file, 'echo', 'one'], { recordFile: file });
    expect(a.stdout).toBe('');
    const b = await ks(['-l', file, 'echo', 'two'], { recordFile: file });
    expect(b.records).toHaveLength(2);
    expect(b.records.map((x) => x.files.stdout.data)).toEqual(['one\n', 'two\n']);
  });

  it('-w runs in a directory; -W creates it; -w /nonexistent still writes a record', async () => {
    const dir = join(t.dir, 'work');
    mkdirSync(dir);
    let r = await ks(['-w', dir, 'pwd']);
    expect(r.record.files.stdout.data).toBe(dir + '\n');
    expect(r.record.cwd).toBe(dir);
    const made = join(t.dir, 'made', 'deep');
    r = await ks(['-W', made, 'pwd']);
    expect(r.exitCode).toBe(0);
    expect(r.record.files.stdout.data).toBe(made + '\n');
    r = await ks(['-w', '/nonexistent/dir', 'true']);
    expect(r.exitCode).toBe(127);
    expect(r.record.mainjob.status.failure_error).toMatch(/^2 +No such file or directory/);
    expect(r.stderr).toMatch(/cannot use working directory \/nonexistent\/dir.*-W/);
  });

  it('-s stats and hashes outputs after the job, -S inputs before', async () => {
    const dir = join(t.dir, 'stat');
    mkdirSync(dir);
    writeFileSync(join(dir, 'in.dat'), 'input');
    const r = await ks(['-w', dir, '-S', 'in=in.dat', '-S', 'gone.dat', '-s', 'out=out.dat', 'sh', '-c', 'echo data > out.dat; rm in.dat']);
    expect(r.exitCode).toBe(0);
    const f = r.record.files;
    expect(f.in).toMatchObject({ lfn: 'in', size: 5 });
    expect(f['gone.dat']).toMatchObject({ error: 2 });
    expect(f.out).toMatchObject({ lfn: 'out', size: 5, output: true });
    expect(f.out.sha256).toBe('6667b2d1aab6a00caa5aee5af8ad9f1465e567abf1c209d15727d57b3e8f6e5f');
  });

  it('-H leaves out the machine block; -f adds environment and limits; -n/-N/-R/-L/-T are recorded', async () => {
    let r = await ks(['-H', 'true']);
    expect(r.record.machine).toBeUndefined();
    r = await ks(['-f', '-n', 'ns::xform:1.0', '-N', 'ID0000001', '-R', 'condorpool', '-L', 'diamond', '-T', '2024-01-01T00:00:00Z', 'true'], {
      env: { MY_API_TOKEN: 'hunter2', SLURM_JOB_ID: '4242' },
    });
    expect(r.record.machine.cpu_count).toBeGreaterThan(0);
    expect(r.record.environment.PATH).toBeDefined();
    expect(r.record.environment.MY_API_TOKEN).not.toContain('hunter2');
    expect(r.record.limits).toBeTypeOf('object');
    expect(r.record).toMatchObject({ transformation: 'ns::xform:1.0', derivation: 'ID0000001', resource: 'condorpool', 'wf-label': 'diamond', 'wf-stamp': '2024-01-01T00:00:00Z' });
    expect(r.record.jobids).toEqual({ slurm: '4242' });
    expect(r.record.files.kickstart).toBeDefined();
  });

  it('--format json writes one JSON object per line with the same content', async () => {
    const r = await ks(['--format', 'json', 'echo', 'hi']);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]);
    expect(rec.mainjob.argument_vector).toEqual(['hi']);
    expect(rec.files.stdout.data).toBe('hi\n');
  });

  it('logs go to stderr as JSON lines, never into the record', async () => {
    const r = await ks(['--log-level', 'debug', 'sh', '-c', 'exit 2']);
    expect(r.exitCode).toBe(2);
    const lines = r.stderr.trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(JSON.parse(l).level).toBeTypeOf('number');
    expect(r.stdout).not.toContain('"level"');
  });

  it('KICKSTART_PREPEND_PATH and KICKSTART_WRAPPER shape the main job', async () => {
    const bin = join(t.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'only-here'), '#!/bin/sh\necho found "$@"\n');
    chmodSync(join(bin, 'only-here'), 0o755);
    let r = await ks(['only-here', 'x'], { env: { KICKSTART_PREPEND_PATH: bin } });
    expect(r.exitCode).toBe(0);
    expect(r.record.files.stdout.data).toBe('found x\n');
    r = await ks(['echo', 'inner'], { env: { KICKSTART_WRAPPER: 'sh -c \'echo wrapped; exec "$@"\' wrapper' } });
    expect(r.record.files.stdout.data).toBe('wrapped\ninner\n');
  });

  it('the job gets KICKSTART_METADATA; what it writes there lands in the record', async () => {
    const r = await ks(['sh', '-c', 'echo k=v >> "$KICKSTART_METADATA"; echo "$KICKSTART_ATTEMPT"']);
    expect(r.record.files.metadata.data).toBe('k=v\n');
    expect(r.record.files.stdout.data).toBe('1\n');
    expect(existsSync(r.record.files.metadata.temporary_name)).toBe(false);
  });

  it('leaves no temp files behind', async () => {
    const tmp = join(t.dir, 'tmp');
    mkdirSync(tmp);
    await ks(['sh', '-c', 'echo x; exit 1'], { env: { TMPDIR: tmp } });
    await ks(['-k', '0.3', 'sleep', '5'], { env: { TMPDIR: tmp } });
    expect(readdirSync(tmp)).toEqual([]);
  });
});
