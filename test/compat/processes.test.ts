import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kickstart, useSuiteDir } from './suite.js';

// test.sh: lotsofprocs*, argfile*, test_longarg*, test_toolongarg_file, test_missing_args, test_quoted_args.
const dir = useSuiteDir();

describe('pegasus-kickstart test.sh: processes and arguments', () => {
  it.each([
    ['lotsofprocs', []],
    ['lotsofprocs_buffer', ['-B', '10000']],
    ['lotsofprocs_trace', ['-t']],
    ['lotsofprocs_trace_buffer', ['-B', '10000', '-t']],
  ])('%s', async (_name, flags) => {
    const r = await kickstart([...flags, './many-dates.sh'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    const procs = r.record.mainjob.procs;
    if (flags.includes('-t')) {
      // The script itself lives through many ticks; most of its 1000 dates are too short to be seen.
      const script = procs[String(r.record.mainjob.pid)];
      expect(script).toMatchObject({ pid: r.record.mainjob.pid, exe: '/usr/bin/bash' });
      expect(script.argv.at(-1)).toMatch(/\/many-dates\.sh$/);
    } else expect(procs).toBeNull();
  });

  it('argfile: -I takes the command from a file', async () => {
    const r = await kickstart(['-I', 'date.arg'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    expect(r.record.mainjob.executable.file_name).toBe('/bin/date');
  });

  it('argfile_after: anything after -I FILE is an error (127)', async () => {
    const r = await kickstart(['-I', 'date.arg', '-B', '2'], { cwd: dir() });
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toContain('No arguments allowed after -I fn');
    expect(r.stdout).toBe('');
  });

  it('test_longarg: a 5000-character argument', async () => {
    const r = await kickstart(['/bin/echo', 'c'.repeat(5000)], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    expect(r.record.files.stdout.data).toBe(`${'c'.repeat(5000)}\n`);
  });

  it('test_longarg_file: a 127 KiB argument from -I', async () => {
    writeFileSync(join(dir(), 'long.arg'), `/bin/echo\n${'c'.repeat(127 * 1024)}\n`);
    const r = await kickstart(['-I', 'long.arg'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    expect(r.record.mainjob.argument_vector[0]).toHaveLength(127 * 1024);
  });

  it('test_toolongarg_file: a 129 KiB argument fails with a record (126)', async () => {
    writeFileSync(join(dir(), 'toolong.arg'), `/bin/echo\n${'c'.repeat(129 * 1024)}\n`);
    const r = await kickstart(['-I', 'toolong.arg'], { cwd: dir() });
    expect(r.exitCode).toBe(126);
    expect(r.record.mainjob.status.failure_error).toMatch(/Argument list too long/);
  });

  it('test_missing_args: every option that takes a value exits 127 without it', async () => {
    const letters = ['i', 'o', 'e', 'l', 'n', 'N', 'R', 'B', 'L', 'T', 'I', 'w', 'W', 's', 'S'];
    const runs = await Promise.all(letters.map((a) => kickstart([`-${a}`], { cwd: dir() })));
    expect(runs.map((r) => r.exitCode)).toEqual(letters.map(() => 127));
  });

  it('test_quoted_args (PM-1680): quotes and JSON pass through as they are', async () => {
    const args = ["'None'", '{"password": "xxxxx"}'];
    const r = await kickstart(['echo', ...args], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    expect(r.record.mainjob.argument_vector).toEqual(args);
    expect(r.record.files.stdout.data).toBe(`${args.join(' ')}\n`);
  });
});
