import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTar } from '../../src/transfer/archive.js';
import { BIN, FIXTURES, ks, PYTHON, sleep } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';
import { killEverything } from '../helpers/power-loss.js';
import { stagedFile } from '../helpers/staged.js';

/**
 * Real applications checkpoint one file and append to others all the time
 * (#18): live shipping triggers on the checkpoint, takes the appended files
 * along up to their length then, and never ships half a checkpoint.
 */
const t = tempDir();
afterAll(t.cleanup);
const MD = join(FIXTURES, 'md-like.py');
const RW = join(FIXTURES, 'restart-writer.py');
const OUTS = ['energies.dat', 'traj.dat'];

/** "step epoch_ms" per checkpoint the stand-in wrote. */
function checkpoints(file: string): { step: number; at: number }[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.trim().split('\n').filter(Boolean).map((l) => {
    const [step, at] = l.split(' ').map(Number);
    return { step, at };
  });
}

/** Every generation at a file:// site, as { path: content } read from its data object. */
async function generations(site: string, job: string): Promise<Map<number, Map<string, Buffer>>> {
  const out = new Map<number, Map<string, Buffer>>();
  for (const name of readdirSync(join(site, job)).sort()) {
    const m = /^gen-(\d+)\.manifest\.json$/.exec(name);
    if (!m) continue;
    const manifest = JSON.parse(readFileSync(join(site, job, name), 'utf8'));
    const files = new Map<string, Buffer>();
    // One data object or its chunks in order, as the manifest says.
    const data = stagedFile(join(site, job), Number(m[1]));
    if (manifest.object.format === 'file') files.set(manifest.entries[0].path, data);
    else {
      await readTar((async function* () { yield data; })(), async (e, body) => {
        const parts: Buffer[] = [];
        for await (const c of body) parts.push(Buffer.from(c));
        if (e.type === 'file') files.set(e.name, Buffer.concat(parts));
      });
    }
    out.set(Number(m[1]), files);
  }
  return out;
}

describe('live shipping of a checkpoint with appended output files', () => {
  it('kill -9 of everything after 6 s: a fresh kickstart restores a consistent set about one interval old, and the app completes', async () => {
    const dir = join(t.dir, 'md');
    const work = join(dir, 'work');
    const log = join(dir, 'checkpoints.log');
    const site = join(dir, 'staging');
    mkdirSync(work, { recursive: true });
    const flags = ['-H', '--checkpoint', 'state.ckpt', ...OUTS.flatMap((o) => ['--checkpoint-with', o]), '--staging', `file://${site}`,
      '--job-id', 'md', '--checkpoint-interval', '1s', '--keep', '50'];
    const env = { MD_LOG: log, MD_STEPS: '70' };
    const kick = spawn(process.execPath, [BIN, '-l', join(dir, 'record.yml'), ...flags, '--', PYTHON, MD], {
      cwd: work, env: { ...process.env, ...env }, stdio: 'ignore', detached: true,
    });
    let killedAt = 0;
    try {
      // 6 s of running, counted from the app's first checkpoint (start-up is slow on a loaded machine) less the 1 s before it.
      const until = performance.now() + 30_000;
      while (!(checkpoints(log).length > 0 && Date.now() - checkpoints(log)[0].at >= 5000)) {
        if (performance.now() > until) throw new Error('the stand-in wrote no checkpoint in 30 s');
        await sleep(50);
      }
      const k = await killEverything(kick.pid!);
      killedAt = k.at;
      expect(k.left).toEqual([]);
    } finally {
      try { process.kill(-kick.pid!, 'SIGKILL'); } catch { /* gone */ }
    }
    const written = checkpoints(log);
    // The newest generation: whole and consistent, and at most about one interval old.
    const gens = await generations(site, 'md');
    const newest = gens.get(Math.max(...gens.keys()))!;
    const ck = JSON.parse(newest.get('state.ckpt')!.toString());
    for (const o of OUTS) expect(newest.get(o)!.length, o).toBeGreaterThanOrEqual(ck.lengths[o]);
    const due = written.filter((w) => w.at <= killedAt - 1500).at(-1);
    expect(due, 'a checkpoint written 1.5 s before the kill').toBeDefined();
    expect(ck.step).toBeGreaterThanOrEqual(due!.step);
    // Every live generation is consistent, not only the newest.
    for (const [n, files] of gens) {
      const c = JSON.parse(files.get('state.ckpt')!.toString());
      for (const o of OUTS) expect(files.get(o)!.length, `gen ${n} ${o}`).toBeGreaterThanOrEqual(c.lengths[o]);
    }
    console.log(`md stand-in: ${gens.size} generations in ${((killedAt - written[0].at) / 1000 + 1).toFixed(1)} s; restored step ${ck.step}, ` +
      `last checkpoint ${written.at(-1)!.step}, ${((killedAt - written.find((w) => w.step === ck.step)!.at) / 1000).toFixed(2)} s before the kill`);

    // A new node: an empty directory, the same command.
    const fresh = join(dir, 'fresh');
    mkdirSync(fresh);
    const r = await ks([...flags, '--', PYTHON, MD], { cwd: fresh, env, timeout: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const k = r.record.kickstart;
    expect(k.stage_in).toMatchObject({ result: 'ok', generation: Math.max(...gens.keys()) });
    expect(r.record.mainjob.status.regular_exitcode).toBe(0);
    // Resumed, not restarted: every step once, in order.
    for (const o of OUTS) {
      const steps = readFileSync(join(fresh, o), 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[0]));
      expect(steps, o).toEqual([...Array(70).keys()]);
    }
    expect(k.live.intervals).toBeGreaterThanOrEqual(1);
  });

  it('a new checkpoint file per period written in place (glob): only complete ones are ever shipped, the log rides along', async () => {
    const dir = join(t.dir, 'rw');
    const work = join(dir, 'work');
    const site = join(dir, 'staging');
    mkdirSync(work, { recursive: true });
    const r = await ks(
      ['-H', '--checkpoint', 'restart.*', '--checkpoint-with', 'run.log', '--staging', `file://${site}`, '--job-id', 'rw',
        '--checkpoint-interval', '600ms', '--keep', '1000', '--', PYTHON, RW],
      { cwd: work, env: { RW_FILES: '6', RW_CHUNKS: '4', RW_PAUSE: '0.12', RW_PERIOD: '0.1' }, timeout: 60_000 },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const k = r.record.kickstart;
    const gens = await generations(site, 'rw');
    const live = k.live_uploads.filter((u: any) => u.result === 'ok').map((u: any) => u.generation);
    expect(live.length).toBeGreaterThanOrEqual(3);
    let restarts = 0;
    for (const [n, files] of gens) {
      const log = files.get('run.log')?.toString();
      expect(log, `gen ${n} has the log`).toBeDefined();
      for (const [name, body] of files) {
        if (!name.startsWith('restart.')) continue;
        restarts++;
        const text = body.toString();
        const id = name.split('.')[1];
        // Whole: header, every chunk, footer.
        expect(text.startsWith(`restart ${id} chunks 4\n`), `gen ${n} ${name}`).toBe(true);
        expect(text.endsWith(`end ${id}\n`), `gen ${n} ${name} is complete`).toBe(true);
        expect(text.split('\n').length, `gen ${n} ${name}`).toBe(4 + 3);
        // Consistent: the log was read after the checkpoint files, so it says each was done.
        expect(log, `gen ${n} log knows ${name}`).toContain(`done ${name}\n`);
      }
    }
    expect(restarts).toBeGreaterThan(live.length);
    // Files were caught being written: the record says so.
    expect(k.live.skipped?.settling ?? 0).toBeGreaterThanOrEqual(1);
    expect(['ok', 'unchanged']).toContain(k.stage_out.result);
    const last = gens.get(k.stage_out.generation)!;
    expect([...last.keys()].filter((p) => p.startsWith('restart.')).sort()).toEqual([1, 2, 3, 4, 5, 6].map((i) => `restart.${i}`));
    expect(last.get('run.log')!.length).toBe(statSync(join(work, 'run.log')).size);
  });

  it('never silent: a declared file that never settles is named in the record, a warning and kickstart show', async () => {
    const dir = join(t.dir, 'silent');
    const work = join(dir, 'work');
    mkdirSync(work, { recursive: true });
    const record = join(dir, 'record.yml');
    // The log declared as a checkpoint, not a companion: it never stands still, so nothing is shipped live.
    const r = await ks(
      ['-H', '-l', record, '--checkpoint', 'state.ckpt', '--checkpoint', 'energies.dat', '--staging', `file://${join(dir, 'staging')}`, '--job-id', 's',
        '--checkpoint-interval', '1s', '--', PYTHON, MD],
      // Appends at most 0.2 s apart never stand still for the settle time (0.5 s).
      { cwd: work, env: { MD_STEPS: '35', MD_CHECKPOINT_EVERY: '0.5' }, recordFile: record, timeout: 60_000 },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const live = r.record.kickstart.live;
    expect(live.shipped).toBe(0);
    expect(live.skipped.settling).toBeGreaterThanOrEqual(3);
    expect(r.stderr).toMatch(/nothing shipped for 3 intervals: waiting for 'energies\.dat' to stop changing; .*--checkpoint-with energies\.dat/);
    expect(r.stderr.match(/nothing shipped for/g)?.length).toBe(1);
    const show = await ks(['show', record], { env: { NO_COLOR: '1' } });
    expect(show.exitCode, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/live shipping\s+\d+ intervals of 1 s: 0 shipped, \d+ skipped \(settling \d+/);
  });
});
