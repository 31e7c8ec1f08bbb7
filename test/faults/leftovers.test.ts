import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { killLoop } from '../helpers/kill-loop.js';
import { figure, rng } from './lib.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Issue #18, item 6: kill -9 of kickstart at random moments of a run leaves
 * no capture file (stdout, stderr, metadata) in TMPDIR. Counted over a plain
 * job and over one with a checkpoint staged in and out.
 */
const KILLS = Number(process.env.KICKSTART_FAULTS_KILLS ?? 100);
const JOB = ['sh', '-c', 'echo out; echo err >&2; echo k=v >> "$KICKSTART_METADATA"; date > state.ckpt; sleep 0.1'];

describe('nothing left behind after kill -9', () => {
  it(`plain job: ${KILLS} kills, 0 files left`, async () => {
    const root = tempDir('leftovers-plain').dir;
    const r = await killLoop({ runs: KILLS, root: path.join(root, 'tmp'), args: ['-l', path.join(root, 'rec.yml'), '--', ...JOB], random: rng('leftovers-plain') });
    figure(`leftovers plain: ${r.leftovers.length} files left after ${r.killed}/${r.runs} kill -9 mid-run (run ${r.runMs.toFixed(0)} ms)`);
    expect(r.leftovers).toEqual([]);
    expect(r.killed).toBeGreaterThan(KILLS / 2);
  }, 900_000);

  it(`checkpointed job: ${KILLS} kills, 0 files left`, async () => {
    const root = tempDir('leftovers-ckpt').dir;
    const work = path.join(root, 'work');
    const site = pathToFileURL(path.join(root, 'site')).href;
    const { mkdirSync } = await import('node:fs');
    mkdirSync(work);
    writeFileSync(path.join(work, 'state.ckpt'), 'first\n');
    const args = ['-w', work, '--checkpoint', 'state.ckpt', '--staging', site, '--job-id', 'left', '-l', path.join(root, 'rec.yml'), '--', ...JOB];
    const r = await killLoop({ runs: KILLS, root: path.join(root, 'tmp'), args, random: rng('leftovers-ckpt') });
    figure(`leftovers checkpointed: ${r.leftovers.length} files left after ${r.killed}/${r.runs} kill -9 mid-run (run ${r.runMs.toFixed(0)} ms)`);
    expect(r.leftovers).toEqual([]);
    expect(r.killed).toBeGreaterThan(KILLS / 2);
  }, 900_000);
});
