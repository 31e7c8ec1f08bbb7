import { describe, expect, it } from 'vitest';
import { ks } from '../helpers/run.js';

const SIDE = {
  KICKSTART_SETUP: 'echo setup',
  KICKSTART_PREJOB: 'echo prejob',
  KICKSTART_POSTJOB: 'echo postjob',
  KICKSTART_CLEANUP: 'echo cleanup',
};

describe('side jobs (Pegasus rules)', () => {
  it('run in order setup, prejob, main, postjob, cleanup, sharing stdout', async () => {
    const r = await ks(['echo', 'main'], { env: SIDE });
    expect(r.exitCode).toBe(0);
    expect(r.record.files.stdout.data).toBe('setup\nprejob\nmain\npostjob\ncleanup\n');
    for (const k of ['setup', 'prejob', 'mainjob', 'postjob', 'cleanup']) expect(r.record[k].status.regular_exitcode).toBe(0);
    const keys = Object.keys(r.record);
    expect(keys.indexOf('setup')).toBeLessThan(keys.indexOf('prejob'));
    expect(keys.indexOf('postjob')).toBeLessThan(keys.indexOf('cleanup'));
  });

  it("setup's failure is ignored", async () => {
    const r = await ks(['echo', 'main'], { env: { ...SIDE, KICKSTART_SETUP: 'false' } });
    expect(r.exitCode).toBe(0);
    expect(r.record.setup.status.regular_exitcode).toBe(1);
    expect(r.record.files.stdout.data).toBe('prejob\nmain\npostjob\ncleanup\n');
  });

  it('a failed prejob skips main and postjob; cleanup runs; its code is the exit code', async () => {
    const r = await ks(['echo', 'main'], { env: { ...SIDE, KICKSTART_PREJOB: "sh -c 'exit 7'" } });
    expect(r.exitCode).toBe(7);
    expect(r.record.mainjob).toBeUndefined();
    expect(r.record.postjob).toBeUndefined();
    expect(r.record.files.stdout.data).toBe('setup\ncleanup\n');
  });

  it('a failed main job skips postjob; cleanup runs', async () => {
    const r = await ks(['sh', '-c', 'exit 4'], { env: SIDE });
    expect(r.exitCode).toBe(4);
    expect(r.record.postjob).toBeUndefined();
    expect(r.record.files.stdout.data).toBe('setup\nprejob\ncleanup\n');
  });

  it("a failed postjob's code is the exit code", async () => {
    const r = await ks(['echo', 'main'], { env: { ...SIDE, KICKSTART_POSTJOB: "sh -c 'exit 9'" } });
    expect(r.exitCode).toBe(9);
    expect(r.record.postjob.status.regular_exitcode).toBe(9);
    expect(r.record.kickstart.outcome).toBe('failed');
  });

  it('side job command lines keep quotes and take no expansion', async () => {
    const r = await ks(['true'], { env: { KICKSTART_SETUP: `printf '%s|' "a b" '$HOME' c\\ d` } });
    expect(r.record.setup.argument_vector).toEqual(['%s|', 'a b', '$HOME', 'c d']);
    expect(r.record.files.stdout.data).toBe('a b|$HOME|c d|');
  });
});
