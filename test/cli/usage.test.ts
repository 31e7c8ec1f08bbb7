import { describe, expect, it } from 'vitest';
import { ks } from '../helpers/run.js';

// Every flag and refusal is checked in-process by flags.test.ts; these few
// runs check that the built CLI prints that one line and exits 127.
const NEEDS_VALUE = ['-n', '--staging'];

describe('usage errors', () => {
  it.each(NEEDS_VALUE)('%s without its argument: one line naming the flag, exit 127', async (flag) => {
    const r = await ks([flag]);
    expect(r.exitCode).toBe(127);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^kickstart: /);
    expect(lines[0]).toContain(flag);
    expect(r.stdout).toBe('');
  });

  it('an unknown flag is named', async () => {
    const r = await ks(['--frobnicate', 'true']);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('no command at all says how to give one', async () => {
    const r = await ks([]);
    expect(r.exitCode).toBe(127);
    expect(r.stderr.trim()).toMatch(/^kickstart: no command to run/);
  });

  it.each([
    [['-B', 'lots', 'true'], /Invalid -B argument 'lots'/],
    [['--checkpoint', 'x', 'true'], /--checkpoint needs --staging/],
  ])('%j is refused with a clear line', async (args, message) => {
    const r = await ks(args as string[]);
    expect(r.exitCode).toBe(127);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message as RegExp);
  });

  it('--help shows examples and exits 0', async () => {
    const r = await ks(['--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--checkpoint-time');
  });

  it('-V prints the version', async () => {
    const r = await ks(['-V']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^kickstart \d+\.\d+\.\d+/);
  });

  it('options after the executable belong to the job', async () => {
    const r = await ks(['echo', '-n', '-V', '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.record.mainjob.argument_vector).toEqual(['-n', '-V', '--help']);
    expect(r.record.files.stdout.data).toBe('-V --help');
  });
});
