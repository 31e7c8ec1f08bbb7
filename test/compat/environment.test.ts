import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/run.js';
import { kickstart, useSuiteDir } from './suite.js';

// test.sh: test_failure_environment, test_quote_env_var, test_prepend_path, test_missing_executable,
// test_not_executable, test_wrapper, test_metadata, test_w_with_rel_exec.
const dir = useSuiteDir();

describe('pegasus-kickstart test.sh: environment, paths and wrappers', () => {
  it('test_failure_environment: a bad -w still gives a record with the environment', async () => {
    const r = await kickstart(['-w', '/doesnotexistever', '/bin/echo', 'Main', 'job'], { cwd: dir() });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('  environment:');
  });

  it('test_quote_env_var: a variable name with a quote is quoted in the record', async () => {
    const r = await kickstart(['-f', '/bin/date'], { cwd: dir(), command: ['env', 'GIDEON"=juve', process.execPath, BIN] });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('GIDEON\\"": ');
    expect(r.record.environment['GIDEON"']).toBe('juve');
  });

  it('test_prepend_path: KICKSTART_PREPEND_PATH goes in front of PATH', async () => {
    const r = await kickstart(['/usr/bin/env'], { cwd: dir(), command: ['env', 'PATH=/bar', 'KICKSTART_PREPEND_PATH=/foo', process.execPath, BIN] });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('PATH=/foo:/bar');
  });

  it('test_missing_executable: "No such file or directory" (127)', async () => {
    const r = await kickstart(['frobnerbrob'], { cwd: dir() });
    expect(r.exitCode).toBe(127);
    expect(r.stdout).toContain('No such file or directory');
  });

  it('a path through a file is "Not a directory" (127), as pegasus-kickstart says, not ENOENT', async () => {
    writeFileSync(join(dir(), 'plain.txt'), 'not a directory\n');
    const r = await kickstart(['./plain.txt/app'], { cwd: dir() });
    expect(r.exitCode).toBe(127);
    expect(r.record.mainjob.status).toEqual({ raw: -127, failure_error: '20   Not a directory' });
  });

  it('test_not_executable: a file in the working directory that cannot run is "Permission denied" (126)', async () => {
    writeFileSync(join(dir(), 'long.arg'), '/bin/echo\nnot a program\n', { mode: 0o644 });
    const r = await kickstart(['long.arg'], { cwd: dir() });
    expect(r.exitCode).toBe(126);
    expect(r.stdout).toContain('Permission denied');
  });

  it('test_wrapper: KICKSTART_WRAPPER runs in front of the job', async () => {
    const r = await kickstart(['/bin/date'], { cwd: dir(), env: { KICKSTART_WRAPPER: './wrapper.sh' } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Hello, Wrapper!');
  });

  it('test_metadata: what the job writes to KICKSTART_METADATA is in the record', async () => {
    const r = await kickstart(['metadata.sh'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('foo=bar');
    expect(r.record.files.metadata.data).toMatch(/^user=.*\npwd=.*\nfoo=bar\ndate='.*'\n$/);
  });

  it('test_w_with_rel_exec: ./exe is found in the -w directory', async () => {
    mkdirSync(join(dir(), 'subdir'));
    copyFileSync(join(dir(), 'hello.sh'), join(dir(), 'subdir', 'my_unique_exe'));
    const r = await kickstart(['-w', join(dir(), 'subdir'), './my_unique_exe'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    expect(r.record.files.stdout.data).toBe('Hello World!\n');
  });
});
