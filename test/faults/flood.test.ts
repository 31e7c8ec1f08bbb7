import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import { BIN } from '../helpers/run.js';
import { figure, fmtMiB, MiB } from './lib.js';
import { memory } from '../helpers/proc.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Item 6, floods: a job writes 10 GiB to stdout and 10 GiB to stderr (dd
 * with 1 MiB blocks, both at once). kickstart's resident set, sampled from
 * /proc while it runs, stays under 100 MB, and the record keeps exactly the
 * last -B bytes of each stream. Captured streams go to temp files in TMPDIR,
 * so the size shrinks (with the reason printed) when TMPDIR cannot hold them.
 */
const WANT = Number(process.env.KICKSTART_FAULTS_FLOOD_GIB ?? 10);
const TAIL = 65536;

describe('floods', () => {
  it(`${WANT} GiB on stdout and on stderr: RSS under 100 MB, record keeps the last -B bytes`, async () => {
    const dir = tempDir('flood').dir;
    const st = statfsSync(process.env.TMPDIR || tmpdir());
    const freeGiB = Math.floor((st.bavail * st.bsize) / 1024 ** 3);
    const gib = Math.max(1, Math.min(WANT, Math.floor((freeGiB - 4) / 2)));
    if (gib < WANT) console.log(`[faults] flood: TMPDIR has ${freeGiB} GiB free; writing ${gib} GiB per stream instead of ${WANT}`);
    const job = `dd if=/dev/zero bs=1M count=${gib * 1024} status=none; printf TAIL-OUT-MARK`;
    const jobErr = `dd if=/dev/zero bs=1M count=${gib * 1024} status=none >&2; printf TAIL-ERR-MARK >&2`;
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, '-B', String(TAIL), '--', 'sh', '-c', `(${jobErr}) & ${job}; wait`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    let peakRss = 0;
    let hwm = 0;
    let samples = 0;
    const sampler = setInterval(() => {
      const m = memory(child.pid!);
      if (m.rss === 0) return;
      samples++;
      peakRss = Math.max(peakRss, m.rss);
      hwm = Math.max(hwm, m.hwm);
    }, 100);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearInterval(sampler);
    const seconds = (performance.now() - t0) / 1000;
    expect(code, stderr.slice(-500)).toBe(0);
    const record = (parse(stdout) as any[]).at(-1);
    const files = record.mainjob?.files ?? record.files;
    const out = files?.stdout ?? record.files?.stdout;
    const err = files?.stderr ?? record.files?.stderr;
    expect(out?.data?.length).toBe(TAIL);
    expect(err?.data?.length).toBe(TAIL);
    expect(out.data.endsWith('TAIL-OUT-MARK')).toBe(true);
    expect(err.data.endsWith('TAIL-ERR-MARK')).toBe(true);
    expect(out.data_truncated).toBe(true);
    expect(out.size).toBe(gib * 1024 * MiB + 'TAIL-OUT-MARK'.length);
    figure(
      `flood: ${gib} GiB stdout + ${gib} GiB stderr in ${seconds.toFixed(1)} s; kickstart RSS peak ${fmtMiB(peakRss)}, VmHWM ${fmtMiB(hwm)} ` +
        `(${samples} samples); record kept the last ${TAIL} bytes of each stream`,
    );
    expect(samples).toBeGreaterThan(0);
    expect(Math.max(peakRss, hwm)).toBeLessThan(100e6);
  });
});


describe('floods with -B all', () => {
  it('keeps at most MAX_TAIL bytes instead of running out of memory', async () => {
    const { ks } = await import('../helpers/run.js');
    const { MAX_TAIL } = await import('../../src/supervise/stdio.js');
    const dir = tempDir('flood-all').dir;
    const rec = `${dir}/rec.yml`;
    // The record goes to a file: on stdout it would pass the test runner's output buffer.
    const r = await ks(['-B', 'all', '-l', rec, '--', 'sh', '-c', `yes kickstart | head -c ${MAX_TAIL + 32 * MiB}; printf END`], { cwd: dir, timeout: 600_000, recordFile: rec });
    expect(r.exitCode, r.stderr.slice(-500)).toBe(0);
    const out = r.record.files.stdout;
    expect(out.data.length).toBe(MAX_TAIL);
    expect(out.data.endsWith('END')).toBe(true);
    expect(out.data_truncated).toBe(true);
    figure(`flood -B all: ${fmtMiB(MAX_TAIL + 32 * MiB)} of output, record kept the last ${fmtMiB(MAX_TAIL)} (the cap), exit 0`);
  });
});
