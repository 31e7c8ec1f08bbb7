import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyNumbers } from '../../src/monitor/trace.js';
import { ks, PYTHON } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';

const t = tempDir('ks-trace-');
afterAll(() => t.cleanup());

describe('-t: the job tree from /proc', () => {
  it('reads /proc key: value lines as numbers', () => {
    expect(keyNumbers('VmPeak:\t  2592 kB\nName:\tsh\nrchar: 118106\n')).toEqual({ VmPeak: 2592, rchar: 118106 });
  });

  it('lists each process with its parent, command, times, memory, I/O and the files it writes', async () => {
    const out = join(t.dir, 'out.bin');
    const child = `import time; f = open('${out}', 'wb'); f.write(b'x' * 300000); f.flush(); time.sleep(0.6)`;
    const r = await ks(['-t', '/bin/sh', '-c', `${PYTHON} -c "${child}" && true`], { cwd: t.dir });
    expect(r.exitCode).toBe(0);
    const procs = Object.values(r.record.mainjob.procs) as any[];
    const sh = procs.find((p) => p.pid === r.record.mainjob.pid);
    const py = procs.find((p) => p.ppid === r.record.mainjob.pid);
    expect(sh).toMatchObject({ exe: '/usr/bin/dash', argv: ['/bin/sh', '-c', expect.stringContaining('python')] });
    expect(py.exe).toMatch(/python/);
    expect(py.files_written).toContain(out);
    expect(py.wchar).toBeGreaterThanOrEqual(300_000);
    expect(py.rsspeak).toBeGreaterThan(1000);
    expect(py.start).toBeGreaterThanOrEqual(sh.start);
    expect(py.stop - py.start).toBeGreaterThan(0.3);
    expect(Math.abs(py.start - Date.parse(r.record.mainjob.start) / 1000)).toBeLessThan(5);
  });

  it('without -t, procs: stays empty', async () => {
    const r = await ks(['/bin/sleep', '0.2'], { cwd: t.dir });
    expect(r.record.mainjob.procs).toBeNull();
  });
});
