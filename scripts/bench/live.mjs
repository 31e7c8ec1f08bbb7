// Live checkpoint shipping (--checkpoint-interval), two apps:
//  1. test/fixtures/counter.py replaces its counter file by rename every
//     200 ms: generations per second and write -> visible lag;
//  2. test/fixtures/md-like.py (#18) renames a checkpoint into place every
//     1 s and appends to two output files every 0.1-0.2 s, shipped with
//     --checkpoint-with: generations per interval, write -> visible lag, and
//     the bytes each generation reads: what it ships, what it read beyond that
//     (reread: the unchanged check, a companion's re-read check, torn reads)
//     and how much of what it ships was already in the generation before
//     (companions go whole each time).
// A generation's manifest is written last, so its mtime is when it became
// visible; the checkpoint inside it says which write it holds.
// Baseline, same run: the duration of the record's final stage-out of the
// same files, the floor any shipping lag sits on.
//   node scripts/bench/live.mjs [--quick] [--interval 500ms] [--writes 40]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { emit, figure, fmt, isQuick, show } from './lib.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const interval = arg('--interval', '500ms');
const writes = Number(arg('--writes', isQuick() ? '15' : '40'));

/** Runs kickstart in a fresh directory; returns the record, the site's job folder and the temp dir. */
function run(flags, app, env) {
  const dir = mkdtempSync(join(tmpdir(), 'ks-bench-live-'));
  const work = join(dir, 'work');
  mkdirSync(work);
  const site = join(dir, 'site');
  const r = spawnSync(
    process.execPath,
    [join(root, 'bin', 'kickstart.cjs'), '-H', '-l', join(dir, 'record.yml'), '--monitor-interval', 'off',
      '--staging', `file://${site}`, '--job-id', 'bench', '--keep', '100000', ...flags, '--', 'python3', ...app],
    { cwd: work, env: { ...process.env, ...env }, stdio: 'ignore' },
  );
  if (r.status !== 0) throw new Error(`kickstart exited ${r.status ?? r.signal}`);
  return { dir, job: join(site, 'bench'), k: parse(readFileSync(join(dir, 'record.yml'), 'utf8'))[0].kickstart };
}

/** Published live generations: number, manifest, visible-at (manifest mtime). */
function liveGenerations(job, k) {
  const live = new Set((k.live_uploads ?? []).filter((u) => u.result === 'ok').map((u) => u.generation));
  const out = [];
  for (const name of readdirSync(job).sort()) {
    const m = /^gen-(\d+)\.manifest\.json$/.exec(name);
    if (!m || !live.has(Number(m[1]))) continue;
    out.push({ n: Number(m[1]), manifest: JSON.parse(readFileSync(join(job, name), 'utf8')), visible: statSync(join(job, name)).mtimeMs });
  }
  return out;
}

/** A generation's data as its manifest says: one data object (layout 'object') or its chunks in order. */
const stagedData = (job, manifest) =>
  manifest.object.key
    ? readFileSync(join(job, manifest.object.key))
    : Buffer.concat(manifest.object.chunks.map(([sha]) => readFileSync(join(job, 'chunks', sha))));

/** "value epoch_ms" lines as a Map. */
const writeLog = (file) => new Map(readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number)));

const figures = [];
{
  const dir = mkdtempSync(join(tmpdir(), 'ks-bench-live-log-'));
  const log = join(dir, 'writes.log');
  const { dir: runDir, job, k } = run(['--checkpoint', 'counter', '--checkpoint-interval', interval], [join(fixtures, 'counter.py'), 'counter'], {
    COUNTER_LOG: log, COUNTER_STEP: '0.2', COUNTER_MAX: String(writes),
  });
  const written = writeLog(log);
  const gens = liveGenerations(job, k);
  const lags = gens.map((g) => g.visible - written.get(Number(stagedData(job, g.manifest).toString('utf8'))));
  const times = [...written.values()];
  const span = (times.at(-1) - times[0]) / 1000;
  figures.push(
    figure({ name: 'counter: generations shipped per second of writing', unit: '/s', samples: [gens.length / span], note: `${gens.length} in ${fmt(span, 1)} s; at most 1 per ${interval}` }),
    figure({ name: 'counter: checkpoint write -> its generation visible', unit: 'ms', samples: lags, note: 'manifest mtime - write time' }),
    figure({ name: 'counter: one live upload', unit: 'ms', samples: (k.live_uploads ?? []).map((u) => u.duration * 1000), baseline: { name: `the final stage-out of the same file (${k.stage_out.result})`, samples: [k.stage_out.duration * 1000] } }),
  );
  rmSync(dir, { recursive: true, force: true });
  rmSync(runDir, { recursive: true, force: true });
}
{
  const dir = mkdtempSync(join(tmpdir(), 'ks-bench-live-log-'));
  const log = join(dir, 'checkpoints.log');
  const steps = isQuick() ? 40 : 120;
  const { dir: runDir, job, k } = run(
    ['--checkpoint', 'state.ckpt', '--checkpoint-with', 'energies.dat', '--checkpoint-with', 'traj.dat', '--checkpoint-interval', '1s'],
    [join(fixtures, 'md-like.py')],
    { MD_LOG: log, MD_STEPS: String(steps) },
  );
  const written = writeLog(log);
  const gens = liveGenerations(job, k);
  const lags = [];
  const fresh = [];
  const sent = [];
  let before = new Map();
  for (const g of gens) {
    const obj = stagedData(job, g.manifest);
    // The checkpoint is the first entry of the archive: its JSON sits after the 512-byte header.
    const ck = JSON.parse(obj.subarray(512, 512 + g.manifest.entries.find((e) => e.path === 'state.ckpt').size).toString());
    lags.push(g.visible - written.get(ck.step));
    // Bytes of this generation that the one before already held (companions are shipped whole).
    const old = g.manifest.entries.reduce((n, e) => n + Math.min(e.size, e.path === 'state.ckpt' ? 0 : before.get(e.path) ?? 0), 0);
    fresh.push(1 - old / g.manifest.bytes);
    before = new Map(g.manifest.entries.map((e) => [e.path, e.size]));
    if (g.manifest.dedup) sent.push((100 * g.manifest.dedup.bytes_new) / g.manifest.object.size);
  }
  const uploads = (k.live_uploads ?? []).filter((u) => u.result === 'ok');
  const shipped = uploads.reduce((n, u) => n + u.bytes, 0);
  const reread = uploads.reduce((n, u) => n + (u.reread ?? 0), 0);
  const skipped = Object.entries(k.live.skipped ?? {}).map(([r, v]) => `${r} ${v}`).join(', ') || 'none';
  figures.push(
    figure({ name: 'md + 2 appended outputs: generations per interval', unit: '/interval', samples: [k.live.shipped / k.live.intervals], note: `${k.live.shipped} in ${k.live.intervals} intervals of 1 s, checkpoint renamed every 1 s; skipped: ${skipped}` }),
    figure({ name: 'md: checkpoint rename -> its generation visible', unit: 'ms', samples: lags, note: 'manifest mtime - rename time' }),
    figure({ name: 'md: bytes read beyond those shipped', unit: '%', samples: [shipped > 0 ? (100 * reread) / shipped : 0], note: `${reread} B re-read for ${shipped} B shipped live` }),
    figure({ name: 'md: share of a generation new since the one before', unit: '%', samples: fresh.map((x) => 100 * x), note: 'the bytes no earlier generation held' }),
    ...(sent.length ? [figure({ name: 'md: share of a generation sent (chunks new to the site)', unit: '%', samples: sent, note: 'content-addressed chunks: appended outputs cost their new tail and one chunk' })] : []),
    figure({ name: 'md: one live upload', unit: 'ms', samples: uploads.map((u) => u.duration * 1000), baseline: { name: `the final stage-out of the same files (${k.stage_out.result})`, samples: [k.stage_out.duration * 1000] } }),
  );
  rmSync(dir, { recursive: true, force: true });
  rmSync(runDir, { recursive: true, force: true });
}
const bench = `live shipping: a counter renamed every 200 ms (--checkpoint-interval ${interval}); an md-like app with 2 appended outputs (1s)`;
show(bench, figures);
emit(bench, figures);
