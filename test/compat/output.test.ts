import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kickstart, useSuiteDir } from './suite.js';

// test.sh: xmlquote_ampersand, test_full, test_flush, test_executable, test_quiet*, test_quoting,
// test_truncate, test_all_stdio, test_bad_stdio, test_locale, test_special_charts.
const dir = useSuiteDir();

describe('pegasus-kickstart test.sh: captured output and record content', () => {
  it('xmlquote_ampersand: -B 3000 keeps the last 3000 bytes of 128 KiB of ampersands', async () => {
    const line = `${'&'.repeat(1025)}\n`;
    writeFileSync(join(dir(), 'ampersand.txt'), line.repeat(128));
    const r = await kickstart(['-B', '3000', '/bin/cat', 'ampersand.txt'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    expect(r.record.files.stdout).toMatchObject({ size: 131_328, data_truncated: true });
    expect(r.record.files.stdout.data).toBe(line.repeat(128).slice(-3000));
  });

  it('test_full: -f writes environment, limits and the kickstart and logfile stat blocks', async () => {
    const r = await kickstart(['-f', '/bin/date'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    expect(r.record.environment.PATH).toBe(process.env.PATH);
    expect(r.record.limits).toBeDefined();
    expect(r.record.files.kickstart.file_name).toMatch(/kickstart/);
    expect(r.record.files.logfile).toMatchObject({ descriptor_number: 1 });
  });

  it('test_full with -l: files.logfile is the record file', async () => {
    const log = join(dir(), 'full.yml');
    const r = await kickstart(['-f', '-l', log, '/bin/date'], { cwd: dir(), recordFile: log });
    expect(r.exitCode).toBe(0);
    expect(r.record.files.logfile).toMatchObject({ file_name: log });
  });

  it('test_flush: -F is accepted and does nothing', async () => {
    const r = await kickstart(['-F', '/bin/date'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    const c = await kickstart(['-c', '/bin/date'], { cwd: dir() });
    expect(c.exitCode).toBe(0);
  });

  it('test_executable: /bin/date', async () => {
    const r = await kickstart(['/bin/date'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    expect(r.record.mainjob.status.regular_exitcode).toBe(0);
  });

  it('test_quiet: -q drops the data of a job that succeeded', async () => {
    const r = await kickstart(['-q', './quiet.sh'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain('Some message on stderr');
    expect(r.stdout).not.toContain('Some message on stdout');
  });

  it('test_quiet_fail: -q keeps the data of a job that failed', async () => {
    const r = await kickstart(['-q', './quiet.sh', 'fail'], { cwd: dir() });
    expect(r.exitCode).toBe(1);
    expect(r.record.files.stdout.data).toBe('Some message on stdout\n');
    expect(r.record.files.stderr.data).toBe('Some message on stderr\n');
  });

  it('test_quoting: UTF-8, quotes and markup come through as they are', async () => {
    const r = await kickstart(['cat', 'quoting.txt'], { cwd: dir(), env: { LC_ALL: 'C.UTF-8' } });
    expect(r.exitCode).toBe(0);
    for (const s of ['Jens Vöckler', '"Gideon Juve"', '<some xml="goes">here</some>']) expect(r.stdout).toContain(s);
    expect(r.record.files.stdout.data).toBe(readFileSync(join(dir(), 'quoting.txt'), 'utf8'));
  });

  it('test_truncate: leading blanks of the captured lines survive', async () => {
    const r = await kickstart(['cat', 'indented.txt'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    expect(r.record.files.stdout.data).toBe(readFileSync(join(dir(), 'indented.txt'), 'utf8'));
  });

  it('test_all_stdio: -B all', async () => {
    const r = await kickstart(['-B', 'all', 'echo', 'hello', 'world', 'gideon'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('hello world gideon');
  });

  it('test_bad_stdio: -B foo is "Invalid -B argument", exit 127', async () => {
    const r = await kickstart(['-B', 'foo', 'echo', 'hello'], { cwd: dir() });
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toContain('Invalid -B argument');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('test_locale: terminal escapes in the output', async () => {
    const format = 'Default \\E[33mYellow\\E[0m Normal\\n';
    const r = await kickstart(['printf', format], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    // Whatever this printf makes of \E (coreutils: nothing), the record holds it byte for byte.
    expect(r.record.files.stdout.data).toBe(execFileSync('printf', [format], { encoding: 'utf8' }));
  });

  it('test_special_charts: carriage returns and block characters of a progress bar', async () => {
    const r = await kickstart(['cat', 'progress-bar.txt'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    expect(r.record.files.stdout.data).toBe(readFileSync(join(dir(), 'progress-bar.txt'), 'utf8'));
  });
});
