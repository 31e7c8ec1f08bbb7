import { describe, expect, it } from 'vitest';
import { PYTHON } from '../helpers/run.js';
import { kickstart, useSuiteDir } from './suite.js';

// test.sh: test_integrity (testintegrity.sh), test_integrity_callout_failure (disabled there),
// test_integrity_failure, test_integrity_yaml_inc.
const dir = useSuiteDir();

const SUM = '0e42a8e0c247d101c6c7d60130b681bf1e9d613bdbc1adf18005cc34a8834c0b';

describe('pegasus-kickstart test.sh: checksums and integrity data', () => {
  it('test_integrity: -s checksums the file after the job', async () => {
    const r = await kickstart(['-s', 'integrity.data', 'ls'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`sha256: ${SUM}`);
    expect(r.stdout).toContain('checksum_timing');
  });

  it('test_integrity_callout_failure: no external checksum tool is called, so there is none to fail (exit 0)', async () => {
    // test.sh has this case commented out; pegasus-kickstart 6.0 exits 0 too, as it hashes in-process.
    const r = await kickstart(['-s', 'integrity.data', 'ls'], { cwd: dir(), env: { PATH: '/usr/bin:/bin' } });
    expect(r.exitCode).toBe(0);
    expect(r.record.files['integrity.data'].sha256).toBe(SUM);
  });

  it('test_integrity_failure: -s of a file the job touches', async () => {
    const r = await kickstart(['-s', 'integrity.data', 'touch', 'integrity.data'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
    expect(r.record.files['integrity.data'].sha256).toBe(SUM);
  });

  // test.sh repeats this 100 times; KICKSTART_SLOW=1 does too.
  const rounds = process.env.KICKSTART_SLOW ? 100 : 10;
  it(`test_integrity_yaml_inc: what a tool writes to KICKSTART_INTEGRITY_DATA is merged into files: (${rounds} runs)`, async () => {
    for (let i = 0; i < rounds; i++) {
      const r = await kickstart([PYTHON, 'integrity.py', 'testintegrity.data=integrity.data'], { cwd: dir() });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('"testintegrity.data":');
      expect(r.stdout).toContain(' sha256:');
      expect(r.record.files['testintegrity.data']).toMatchObject({ file_name: 'integrity.data', size: 14, output: true, sha256: SUM });
      expect(Object.keys(r.record.files).indexOf('testintegrity.data')).toBeLessThan(Object.keys(r.record.files).indexOf('stdin'));
    }
  });
});
