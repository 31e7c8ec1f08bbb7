import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ks } from '../helpers/run.js';
import { fileMarkers } from '../../src/supervise/markers.js';
import { crash } from '../helpers/crash.js';
import { tempDir } from '../helpers/temp-dir.js';

const t = tempDir('ks-markers-');
afterAll(t.cleanup);

const MESSAGE = new RegExp(`^attempt 1 started at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z on ${hostname()} and never finished$`);

describe('start markers (#18 item 7)', () => {
  it('are kept beside a regular record file (or one still to be made), never beside /dev/null or a FIFO', () => {
    expect(fileMarkers(join(t.dir, 'not-yet.yml'))?.where).toBe(join(t.dir, 'not-yet.yml'));
    expect(fileMarkers('/dev/null')).toBeUndefined();
    const fifo = join(t.dir, 'records.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(fileMarkers(fifo)).toBeUndefined();
  });

  it('beside the -l record file: a kill -9 leaves it, the next attempt reports it and removes it; kickstart show marks the gap', async () => {
    const dir = join(t.dir, 'file');
    mkdirSync(dir);
    const rec = join(dir, 'records.yml');
    // While an attempt runs, its marker is there.
    const during = await ks(['-l', rec, '--', 'sh', '-c', `ls ${dir}`], { recordFile: rec });
    expect(during.record.files.stdout.data).toMatch(/^records\.yml\.attempt-1-[0-9a-f]+\.json$/m);
    expect(readdirSync(dir)).toEqual(['records.yml']);

    await crash(dir, ['-l', rec]);
    const left = readdirSync(dir).filter((f) => f.includes('.attempt-'));
    expect(left).toHaveLength(1);
    const marker = JSON.parse(readFileSync(join(dir, left[0]), 'utf8'));
    expect(marker).toMatchObject({ attempt: 1, host: hostname() });

    const next = await ks(['-l', rec, '--attempt', '2', '--', 'true'], { recordFile: rec });
    expect(next.exitCode).toBe(0);
    // Two records: the first run's and attempt 2's; the crashed one wrote none.
    expect(next.records.map((r: any) => r.kickstart.attempt)).toEqual([1, 2]);
    expect(next.records[0].kickstart.unfinished).toBeUndefined();
    const gap = next.record.kickstart.unfinished;
    expect(gap).toHaveLength(1);
    expect(gap[0]).toMatchObject({ attempt: 1, started: marker.started, host: hostname(), pid: marker.pid });
    expect(gap[0].message).toMatch(MESSAGE);
    expect(next.stderr).toContain('never finished (start marker at');
    expect(readdirSync(dir).sort()).toEqual(['job.pid', 'records.yml']);

    const shown = await execa(process.execPath, [BIN, 'show', rec]);
    expect(shown.stdout).toMatch(/attempt 1\s+never finished\s+no record\n\s+gap\s+attempt 1 started at .* and never finished\n\nattempt 2\s+completed/);
    const html = join(dir, 'show.html');
    await execa(process.execPath, [BIN, 'show', '--html', html, rec]);
    expect(readFileSync(html, 'utf8')).toMatch(/<section class="attempt gap"><h2>Attempt 1 <span class="outcome bad">never finished<\/span>/);
  });

  it('at the staging site when there is one, through the staging interface', async () => {
    const dir = join(t.dir, 'site');
    mkdirSync(dir);
    const staging = join(dir, 'staging');
    const common = ['-W', join(dir, 'work'), '--checkpoint', 'c.ckpt', '--staging', `file://${staging}`, '--job-id', 'mk'];
    await crash(dir, ['-l', join(dir, 'first.yml'), ...common]);
    const folder = join(staging, 'mk', 'attempts');
    expect(readdirSync(folder)).toEqual([expect.stringMatching(/^attempt-1-[0-9a-f]+\.json$/)]);
    // Nothing beside the record file: the site holds the marker.
    expect(readdirSync(dir).filter((f) => f.includes('.attempt-'))).toEqual([]);

    const rec = join(dir, 'second.yml');
    const next = await ks(['-l', rec, ...common, '--attempt', '2', '--', 'sh', '-c', 'echo 2 > c.ckpt'], { recordFile: rec });
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.record.kickstart.unfinished.map((u: any) => u.message)).toEqual([expect.stringMatching(MESSAGE)]);
    expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([]);
    // The generation it shipped is found as ever: the markers' folder is no generation.
    const ls = await execa(process.execPath, [BIN, 'checkpoints', 'ls', '--staging', `file://${staging}`, '--job-id', 'mk'], { reject: false });
    expect(ls.exitCode, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/gen-000001|\b1\b/);
  });
});
