// Live checkpoint shipping (--checkpoint-interval): how many generations go
// out per second and how long after a checkpoint write its generation is
// visible at the staging site. The app (test/fixtures/counter.py) replaces
// its counter file by rename every 200 ms and logs each write's time; the
// site's manifests (written last, so their mtime is when a generation became
// visible) say which counter each generation holds.
// Baseline, same run: the duration of one stage-out of the same file (the
// record's final stage_out), the floor any shipping lag sits on.
//   node scripts/bench/live.mjs [--quick] [--interval 500ms] [--writes 40]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { emit, figure, fmt, isQuick, show } from './lib.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const interval = arg('--interval', '500ms');
const writes = Number(arg('--writes', isQuick() ? '15' : '40'));

const dir = mkdtempSync(join(tmpdir(), 'ks-bench-live-'));
try {
  const work = join(dir, 'work');
  const site = join(dir, 'site');
  const log = join(dir, 'writes.log');
  mkdirSync(work);
  const r = spawnSync(
    process.execPath,
    [join(root, 'bin', 'kickstart.cjs'), '-H', '-l', join(dir, 'record.yml'), '--monitor-interval', 'off',
      '--checkpoint', 'counter', '--staging', `file://${site}`, '--job-id', 'bench', '--keep', '100000',
      '--checkpoint-interval', interval, '--', 'python3', join(root, 'test', 'fixtures', 'counter.py'), 'counter'],
    { cwd: work, env: { ...process.env, COUNTER_LOG: log, COUNTER_STEP: '0.2', COUNTER_MAX: String(writes) }, stdio: 'ignore' },
  );
  if (r.status !== 0) throw new Error(`kickstart exited ${r.status ?? r.signal}`);
  const record = parse(readFileSync(join(dir, 'record.yml'), 'utf8'))[0];
  const k = record.kickstart;
  const written = new Map(
    readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number)),
  );
  const times = [...written.values()];
  const live = new Set((k.live_uploads ?? []).filter((u) => u.result === 'ok').map((u) => u.generation));
  const lags = [];
  for (const name of readdirSync(join(site, 'bench'))) {
    const m = /^gen-(\d+)\.manifest\.json$/.exec(name);
    if (!m || !live.has(Number(m[1]))) continue;
    const manifest = JSON.parse(readFileSync(join(site, 'bench', name), 'utf8'));
    const value = Number(readFileSync(join(site, 'bench', manifest.object.key), 'utf8'));
    lags.push(statSync(join(site, 'bench', name)).mtimeMs - written.get(value));
  }
  const span = (times.at(-1) - times[0]) / 1000;
  const uploads = (k.live_uploads ?? []).map((u) => u.duration * 1000);
  const bench = `live shipping, --checkpoint-interval ${interval}, a rename every 200 ms`;
  const figures = [
    figure({ name: 'generations shipped per second of writing', unit: '/s', samples: [live.size / span], note: `${live.size} in ${fmt(span, 1)} s; at most 1 per interval` }),
    figure({ name: 'checkpoint write -> its generation visible', unit: 'ms', samples: lags, note: 'manifest mtime - write time' }),
    figure({ name: 'one live upload', unit: 'ms', samples: uploads, baseline: { name: 'the final stage-out of the same file', samples: [k.stage_out.duration * 1000] } }),
  ];
  show(bench, figures);
  emit(bench, figures);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
