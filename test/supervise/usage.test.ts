import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ks, PYTHON } from '../helpers/run.js';

// Allocates and touches 200 MiB, so maxrss is the job's, not kickstart's.
const TOUCH_200M = [PYTHON, '-c', "b = bytearray(b'x') * (200 << 20); print(len(b))"];

describe('usage is the kernel accounting of the reaped job', () => {
  it('maxrss of a 200 MiB job is within 5% of /usr/bin/time -v', async () => {
    expect(existsSync('/usr/bin/time'), '/usr/bin/time is missing: apt-get install time (.ci/run does)').toBe(true);
    const timed = await execa('/usr/bin/time', ['-v', ...TOUCH_200M], { reject: false });
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(String(timed.stderr));
    expect(m).not.toBeNull();
    const reference = Number(m![1]);
    const r = await ks(TOUCH_200M);
    expect(r.exitCode).toBe(0);
    const maxrss = r.record.mainjob.usage.maxrss;
    expect(maxrss).toBeGreaterThan(200 * 1024);
    expect(Math.abs(maxrss - reference) / reference).toBeLessThan(0.05);
  });

  it('cpu time of a busy job is counted, including its reaped children', async () => {
    const busy = 'import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\n';
    const r = await ks(['sh', '-c', 'python3 -c "$1"; true', 'sh', busy]);
    expect(r.exitCode).toBe(0);
    expect(r.record.mainjob.usage.utime + r.record.mainjob.usage.stime).toBeGreaterThan(0.25);
    expect(r.record.mainjob.duration).toBeGreaterThan(0.25);
  });
});
