import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ks } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';

// The four bugs pegasus-kickstart's own suite found (issue #12), each as the
// issue reproduced it.
let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('ks-regress-')));
afterAll(() => cleanup());

describe('A: a deadline during KICKSTART_CLEANUP is not a checkpoint', () => {
  it.each([
    ['/bin/false', 1],
    ['/bin/true', 0],
  ])('KICKSTART_CLEANUP="/bin/sleep 3" kickstart -k 1 %s exits %i', async (job, code) => {
    const r = await ks(['-k', '1', job], { env: { KICKSTART_CLEANUP: '/bin/sleep 3' } });
    expect(r.exitCode).toBe(code);
    expect(r.record.kickstart.outcome).toBe(code === 0 ? 'completed' : 'failed');
    // Cleanup ran to its end, untouched, and no SIGTERM was sent to anything.
    expect(r.record.cleanup.status.regular_exitcode).toBe(0);
    expect(r.record.kickstart.signals).toEqual([]);
    expect(r.stderr).not.toContain('sending SIGTERM');
  });

  it('a deadline during setup stops the run as killed (143), not as a missing program', async () => {
    const r = await ks(['-k', '1', '/bin/echo', 'main'], { env: { KICKSTART_SETUP: '/bin/sleep 5' } });
    expect(r.exitCode).toBe(143);
    expect(r.record.kickstart.outcome).toBe('killed');
    expect(r.record.mainjob).toBeUndefined();
  });

  it('a deadline during the main job is still a checkpoint (14)', async () => {
    const r = await ks(['-k', '1', '/bin/sleep', '5'], { env: { KICKSTART_CLEANUP: '/bin/echo Cleanup job' } });
    expect(r.exitCode).toBe(14);
    expect(r.record.kickstart.outcome).toBe('checkpointed');
  });
});

describe('B: an argument over the kernel limit (128 KiB) read with -I', () => {
  it('writes a record with the failure, exits 126 and leaves no capture files', async () => {
    const tmp = join(dir, 'tmp-b');
    mkdirSync(tmp);
    const argFile = join(dir, 't.arg');
    writeFileSync(argFile, `/bin/echo\n${'c'.repeat(132_000)}\n`);
    const recordFile = join(dir, 'b.yml');
    const r = await ks(['-l', recordFile, '-I', argFile], { env: { TMPDIR: tmp }, recordFile });
    expect(r.exitCode).toBe(126);
    expect(r.stderr).not.toContain('exec helper');
    expect(r.record.mainjob.status.failure_error).toMatch(/^7 +Argument list too long/);
    // The record says what the exit code says (it said -127, "not found", beside exit 126).
    expect(r.record.mainjob.status.raw).toBe(-126);
    expect(r.record.mainjob.argument_vector[0]).toHaveLength(132_000);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('C: a bare executable name is looked for in the working directory first', () => {
  it('runs ./hello.sh given as hello.sh', async () => {
    const sub = join(dir, 'c-run');
    mkdirSync(sub);
    writeFileSync(join(sub, 'hello.sh'), '#!/bin/sh\necho hello from here\n', { mode: 0o755 });
    const r = await ks(['hello.sh'], { cwd: sub });
    expect(r.exitCode).toBe(0);
    expect(r.record.files.stdout.data).toBe('hello from here\n');
  });

  it('with -w, in that directory', async () => {
    const sub = join(dir, 'c-w');
    mkdirSync(sub);
    copyFileSync('/bin/true', join(sub, 'my_unique_true'));
    chmodSync(join(sub, 'my_unique_true'), 0o755);
    const r = await ks(['-w', sub, 'my_unique_true'], { cwd: dir });
    expect(r.exitCode).toBe(0);
  });

  it('a bare name that exists but is not executable is EACCES (126), not ENOENT', async () => {
    const sub = join(dir, 'c-noexec');
    mkdirSync(sub);
    writeFileSync(join(sub, 'data.txt'), 'not a program\n', { mode: 0o644 });
    const r = await ks(['data.txt'], { cwd: sub });
    expect(r.exitCode).toBe(126);
    expect(r.record.mainjob.status.failure_error).toMatch(/^13 +Permission denied/);
  });

  it('a directory of that name does not shadow PATH', async () => {
    const sub = join(dir, 'c-dir');
    mkdirSync(join(sub, 'true'), { recursive: true });
    const r = await ks(['true'], { cwd: sub });
    expect(r.exitCode).toBe(0);
  });
});

describe('D: -s @listfile / -S @listfile', () => {
  it('stats (and for -s checksums) every listed file into files:', async () => {
    const sub = join(dir, 'd');
    mkdirSync(sub);
    writeFileSync(join(sub, 'in.txt'), 'input\n');
    writeFileSync(join(sub, 'before.list'), '# inputs\nraw=in.txt\n\n');
    writeFileSync(join(sub, 'after.list'), 'out.txt   \nlog=run.log # the log\n');
    const r = await ks(['-S', '@before.list', '-s', '@after.list', 'sh', '-c', 'echo out > out.txt; echo log > run.log'], { cwd: sub });
    expect(r.exitCode).toBe(0);
    const f = r.record.files;
    expect(f.raw).toMatchObject({ lfn: 'raw', size: 6 });
    expect(f['out.txt']).toMatchObject({ size: 4, output: true });
    expect(f['out.txt'].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(f.log).toMatchObject({ lfn: 'log', size: 4, output: true });
    expect(f['@before.list']).toBeUndefined();
  });

  it('a list that cannot be read is an entry with its errno; the job still runs', async () => {
    const r = await ks(['-s', '@no-such.list', 'true'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(r.record.files['@no-such.list']).toMatchObject({ error: 2 });
    expect(existsSync(join(dir, 'no-such.list'))).toBe(false);
  });
});
