#!/usr/bin/env node
// Batch mode's cost per task: `kickstart batch` of N /bin/true tasks against
// N bare spawns of /bin/true from a shell loop, interleaved in the same run;
// the difference divided by N is what kickstart adds to each task.
// Target: ≤ 5 ms per task, and below one pegasus-kickstart run per task when
// PEGASUS_KICKSTART names a built pegasus-kickstart (measured the same way:
// a shell loop of N `pegasus-kickstart /bin/true`, minus the bare loop).
// Records go to a file, as a clustered job's stdout does.
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emit, figure, isQuick, show, timeCommand } from './lib.mjs';

const quick = isQuick();
const N = quick ? 200 : 1000;
const rounds = quick ? 1 : 3;
const bin = fileURLToPath(new URL('../../bin/kickstart.cjs', import.meta.url));
const pk = process.env.PEGASUS_KICKSTART && existsSync(process.env.PEGASUS_KICKSTART) ? process.env.PEGASUS_KICKSTART : undefined;
const dir = mkdtempSync(path.join(tmpdir(), 'ks-bench-batch-'));
const tasks = path.join(dir, 'tasks.txt');
writeFileSync(tasks, '/bin/true\n'.repeat(N));
const loop = (cmd) => `i=0; while [ $i -lt ${N} ]; do ${cmd}; i=$((i+1)); done`;

/** Wall time of a command with stdout to a fresh file (the records' destination). */
function toFile(cmd, args) {
  const out = path.join(dir, 'out');
  const fd = openSync(out, 'w');
  try {
    return timeCommand(cmd, args, { stdio: ['ignore', fd, 'ignore'] });
  } finally {
    closeSync(fd);
  }
}

const bare = [];
const batch = [];
const batch4 = [];
const pegasus = [];
try {
  for (let r = 0; r < rounds + 1; r++) {
    const b = toFile('sh', ['-c', loop('/bin/true')]);
    const k = toFile(process.execPath, [bin, 'batch', tasks]);
    const k4 = toFile(process.execPath, [bin, 'batch', '-j', '4', tasks]);
    const p = pk ? toFile('sh', ['-c', loop(`${pk} /bin/true`)]) : undefined;
    if (r === 0) continue; // warm-up: caches, code cache
    bare.push(b / N);
    batch.push((k - b) / N);
    batch4.push((k4 - b) / N);
    if (p !== undefined) pegasus.push((p - b) / N);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const figures = [
  figure({ name: `batch: kickstart's cost per task (${N} /bin/true tasks − ${N} bare spawns, per task)`, unit: 'ms', samples: batch, target: { max: 5 } }),
  figure({ name: `batch -j 4: kickstart's cost per task (${N} tasks − ${N} bare spawns)`, unit: 'ms', samples: batch4, note: '2 cores' }),
  figure({ name: 'batch: one bare spawn of /bin/true from a shell loop', unit: 'ms', samples: bare }),
];
if (pk) {
  figures.push(
    figure({
      name: `batch: kickstart's cost per task`,
      unit: 'ms',
      samples: batch,
      baseline: { name: 'one pegasus-kickstart run (loop − bare loop)', samples: pegasus },
      target: { ratio: 1 },
    }),
  );
}
show(`batch (${N} tasks, ${rounds} rounds, interleaved)`, figures);
emit('batch', figures);
