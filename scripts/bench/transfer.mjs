#!/usr/bin/env node
// Benchmark of the transfer step against cp and sha256sum, in one run.
//
//   node scripts/bench/transfer.mjs [--quick] [--size MiB] [--rounds N] [--dir DIR]
//
// Creates a file of random bytes (1 GiB; --quick: 64 MiB, 3 rounds) in a
// temp dir, then per round: `cp` of it, `sha256sum` of it, a read + SHA-256
// of it in Node (the floor of both directions), stageOut to a
// file:// staging dir, stageIn (with verification) into a fresh working dir.
// Reports medians, ratios to cp, and the peak RSS of the stage-out / stage-in
// process (each runs in its own child so the figure is that transfer's own).
// Imports dist/index.js when it exists, else bundles src/transfer/index.ts
// with esbuild into a temp file first. Everything it made is removed after.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { emit, figure, libraryUrl, makeFile, runChild, show, timeCmd } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : dflt;
};
const quick = flag('--quick');
const sizeMiB = value("--size", quick ? 64 : 1024);
const rounds = value('--rounds', quick ? 3 : 5);
const base = mkdtempSync(path.join(args.includes('--dir') ? args[args.indexOf('--dir') + 1] : tmpdir(), 'ks-bench-'));

const CHILD = String.raw`
const [lib, json] = process.argv.slice(2);
const o = JSON.parse(json);
if (o.dir === 'hash') {
  // The floor of both directions: read the file once and SHA-256 it, nothing else.
  const fs = await import('node:fs');
  const { createHash } = await import('node:crypto');
  const t0 = process.hrtime.bigint();
  const fd = fs.openSync(o.file, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  const h = createHash('sha256');
  for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  h.digest();
  fs.closeSync(fd);
  console.log(JSON.stringify({ result: 'ok', seconds: Number(process.hrtime.bigint() - t0) / 1e9, maxRssKiB: 0 }));
  process.exit(0);
}
const { stageOut, stageIn } = await import(lib);
const opts = { checkpoints: ['ckpt.bin'], cwd: o.cwd, staging: o.staging, jobId: 'bench', attempt: 1, keep: 2 };
if (o.dir === 'in') (await import('node:fs')).mkdirSync(o.cwd, { recursive: true });
const t0 = process.hrtime.bigint();
const r = o.dir === 'out' ? await stageOut(opts) : await stageIn(opts);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ result: r.result, error: r.error, seconds, maxRssKiB: process.resourceUsage().maxRSS }));
`;

const say = (s) => process.stderr.write(s + '\n');

try {
  const lib = await libraryUrl(base);
  const src = path.join(base, 'ckpt.bin');
  say(`bench: writing ${sizeMiB} MiB of random data to ${src}`);
  makeFile(src, sizeMiB << 20);
  // Warm-up: on a VM, page-cache pages touched for the first time cost a
  // host-side fault each (here ~4x the cost of a reused page), which would
  // land on whichever tool happens to need fresh memory first. Touch enough
  // once (3 copies' worth), free it, and every tool below reuses warm pages.
  const warm = path.join(base, 'warm.bin');
  makeFile(warm, 3 * (sizeMiB << 20), false);
  rmSync(warm);
  spawnSync('sync');

  const child = path.join(base, 'child.mjs');
  writeFileSync(child, CHILD);
  symlinkSync(path.join(root, 'node_modules'), path.join(base, 'node_modules'), 'dir');

  const t = { cp: [], sha256sum: [], hash: [], stageOut: [], stageIn: [] };
  const rss = { stageOut: [], stageIn: [] };
  for (let r = 1; r <= rounds; r++) {
    const staging = path.join(base, `stage-${r}`);
    const restore = path.join(base, `restore-${r}`);
    t.cp.push(timeCmd('cp', [src, path.join(base, `copy-${r}`)]));
    rmSync(path.join(base, `copy-${r}`), { force: true });
    t.sha256sum.push(timeCmd('sha256sum', [src]));
    t.hash.push(await runChild(child, lib, { dir: 'hash', file: src }).then((h) => h.seconds));
    const out = await runChild(child, lib, { dir: 'out', cwd: base, staging: pathToFileURL(staging).href });
    t.stageOut.push(out.seconds);
    rss.stageOut.push(out.maxRssKiB);
    const inn = await runChild(child, lib, { dir: 'in', cwd: restore, staging: pathToFileURL(staging).href });
    t.stageIn.push(inn.seconds);
    rss.stageIn.push(inn.maxRssKiB);
    rmSync(staging, { recursive: true, force: true });
    rmSync(restore, { recursive: true, force: true });
    say(`bench: round ${r}/${rounds}: cp ${f(t.cp.at(-1))} s, sha256sum ${f(t.sha256sum.at(-1))} s, read+hash ${f(t.hash.at(-1))} s, stage-out ${f(out.seconds)} s, stage-in ${f(inn.seconds)} s`);
  }
  const mib = (v) => v.map((k) => k / 1024);
  const cp = { name: 'cp', samples: t.cp };
  const sha = { name: 'sha256sum', samples: t.sha256sum };
  const floor = { name: 'read+hash in Node', samples: t.hash };
  const figures = [
    figure({ name: `stage-out ${sizeMiB} MiB, file://`, unit: 's', samples: t.stageOut, baseline: cp, target: { ratio: 1.15 } }),
    figure({ name: `stage-out ${sizeMiB} MiB, file://`, unit: 's', samples: t.stageOut, baseline: sha }),
    figure({ name: `stage-out ${sizeMiB} MiB, file://`, unit: 's', samples: t.stageOut, baseline: floor, target: { ratio: 1.3 }, note: 'the floor: every byte is hashed on one core' }),
    figure({ name: `stage-in ${sizeMiB} MiB, file:// (verified)`, unit: 's', samples: t.stageIn, baseline: cp, target: { ratio: 1.15 } }),
    figure({ name: `stage-in ${sizeMiB} MiB, file:// (verified)`, unit: 's', samples: t.stageIn, baseline: sha }),
    figure({ name: `stage-in ${sizeMiB} MiB, file:// (verified)`, unit: 's', samples: t.stageIn, baseline: floor, target: { ratio: 1.3 }, note: 'the floor: every byte is hashed on one core' }),
    figure({ name: `peak RSS of the stage-out process, ${sizeMiB} MiB`, unit: 'MiB', stat: 'max', samples: mib(rss.stageOut), target: { max: 80 }, note: 'Node included' }),
    figure({ name: `peak RSS of the stage-in process, ${sizeMiB} MiB`, unit: 'MiB', stat: 'max', samples: mib(rss.stageIn), target: { max: 80 }, note: 'Node included' }),
  ];
  show(`transfer (${sizeMiB} MiB, ${rounds} rounds)`, figures);
  emit('transfer', figures);
} finally {
  rmSync(base, { recursive: true, force: true });
}

function f(x) {
  return x.toFixed(3);
}



