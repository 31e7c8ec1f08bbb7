// Shared helpers for the benchmarks: timing whole commands, medians, tables.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomFillSync } from 'node:crypto';
import os from 'node:os';

export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export function summary(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, median: quantile(s, 0.5), p10: quantile(s, 0.1), p90: quantile(s, 0.9), p99: quantile(s, 0.99), min: s[0], max: s[s.length - 1] };
}

/** Wall time of one run of a command, in ms; output discarded. */
export function timeCommand(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore', ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}`);
  return ms;
}

/**
 * Runs the commands round-robin (so load drifts hit all of them alike) and
 * returns the samples per name.
 */
export function interleave(commands, rounds, warmup = 3) {
  const samples = Object.fromEntries(commands.map((c) => [c.name, []]));
  for (let i = 0; i < warmup + rounds; i++) {
    for (const c of commands) {
      const ms = timeCommand(c.cmd, c.args, c.opts);
      if (i >= warmup) samples[c.name].push(ms);
    }
  }
  return samples;
}

export function fmt(x, digits = 2) {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

/** The machine the figures were measured on. */
export function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    /* not Linux: os.cpus() it is */
  }
  return {
    cpu,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    load: os.loadavg().map((x) => x.toFixed(2)).join(' '),
  };
}

/**
 * One figure in the shape scripts/bench/run.mjs reads (see its header).
 *   name      what is measured ('wrapper overhead: kickstart /bin/true')
 *   unit      of value and baseline ('ms', 's', 'MiB')
 *   samples   kickstart's samples; value = their `stat`, spread = p10..p90
 *   stat      'median' (default) or 'p99' etc. for tail figures
 *   baseline  { name, samples } measured in the same run, or undefined
 *   target    { ratio: 1.3 } (value / baseline) or { max: 10 } (value itself)
 */
export function figure({ name, unit, samples, stat = 'median', baseline, target, note }) {
  const k = summary(samples);
  const value = k[stat];
  const b = baseline ? { name: baseline.name, value: summary(baseline.samples)[stat] } : undefined;
  const ratio = b && b.value > 0 ? value / b.value : undefined;
  let met;
  let targetText;
  if (target?.ratio !== undefined) {
    met = ratio !== undefined ? ratio <= target.ratio : undefined;
    targetText = `≤ ${target.ratio}×`;
  } else if (target?.max !== undefined) {
    met = value <= target.max;
    targetText = `≤ ${target.max} ${unit}`;
  }
  return { figure: name, unit, stat, value, spread: [k.p10, k.p90], n: k.n, baseline: b, ratio, target: targetText, met, note };
}

/** The one line run.mjs reads from a bench's stdout. */
export function emit(bench, figures) {
  console.log('BENCH ' + JSON.stringify({ bench, figures }));
}

/** A bench that cannot run here (no server, no compiler): run.mjs lists it with the reason. */
export function skip(bench, why) {
  console.log('BENCH ' + JSON.stringify({ bench, skipped: why }));
}

/** Human-readable lines for figures, on stderr (stdout carries the BENCH line). */
export function show(bench, figures) {
  process.stderr.write(`\n${bench}\n`);
  for (const f of figures) {
    const base = f.baseline ? `  vs ${f.baseline.name} ${fmt(f.baseline.value)} ${f.unit} = ${fmt(f.ratio)}×` : '';
    const met = f.met === undefined ? '' : f.met ? '  (target met)' : `  (target ${f.target} missed)`;
    process.stderr.write(`  ${f.figure.padEnd(48)} ${f.stat} ${fmt(f.value)} ${f.unit}${base}${met}\n`);
  }
}

export function isQuick() {
  return process.argv.includes('--quick');
}

/** Older free-form rows ({ figure, value, unit, note }); run.mjs shows them as reported values. */
export function report(name, rows) {
  console.error(`\n${name}`);
  for (const r of rows) console.error(`  ${r.figure.padEnd(44)} ${String(r.value).padStart(12)} ${r.unit ?? ''}${r.note ? '  ' + r.note : ''}`);
  console.log('BENCH ' + JSON.stringify({ bench: name, rows }));
}

/** Writes a file of `bytes` random (incompressible) or constant bytes, 4 MiB at a time. */
export function makeFile(p, bytes, random = true) {
  const fd = openSync(p, 'w');
  const buf = Buffer.alloc(4 << 20, 0x5a);
  for (let left = bytes; left > 0; left -= buf.length) {
    if (random) randomFillSync(buf);
    writeSync(fd, buf, 0, Math.min(buf.length, left));
  }
  closeSync(fd);
}

/**
 * The URL of the transfer library for a bench child to import: dist/index.js
 * when built, else src/transfer/index.ts bundled by esbuild into `tmp`.
 */
export async function libraryUrl(tmp) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const dist = path.join(root, 'dist/index.js');
  if (existsSync(dist)) {
    const m = await import(pathToFileURL(dist).href);
    if (typeof m.stageOut === 'function' && typeof m.stageIn === 'function') return pathToFileURL(dist).href;
  }
  // Bundled outside the repo, the library cannot find the native addon
  // (chunking runs in it) by walking up from itself: say where it is.
  const addon = path.join(root, 'build/Release/kickstart.node');
  if (existsSync(addon)) process.env.KICKSTART_NATIVE_ADDON ??= addon;
  const { build } = await import('esbuild');
  const outfile = path.join(tmp, 'transfer.mjs');
  await build({
    entryPoints: [path.join(root, 'src/transfer/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return pathToFileURL(outfile).href;
}

/** Wall time of one run of a command, in seconds; its stderr shown, a failure thrown. */
export function timeCmd(cmd, argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} failed`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * Runs `node child lib json(o)`: a bench child that times one transfer call
 * from inside (no node start-up) and prints its result as one JSON line.
 * Rejects unless the result is 'ok' (or 'unchanged': nothing new to publish).
 */
export function runChild(child, lib, o) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, lib, JSON.stringify(o)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`transfer child exited ${code}`));
      const r = JSON.parse(out);
      if (r.result !== 'ok' && r.result !== 'unchanged') return reject(new Error(`transfer ${o.dir ?? 'out'}: ${r.result} ${r.error ?? ''}`));
      resolve(r);
    });
  });
}

/** Deletes every object under `prefix` in S3_BUCKET at S3_ENDPOINT (a bench's own objects: the test gateway's memstore is small). */
export async function removeS3Prefix(prefix) {
  const { S3Client, ListObjectsV2Command, DeleteObjectsCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({ endpoint: process.env.S3_ENDPOINT, forcePathStyle: true, region: process.env.AWS_REGION || 'us-east-1' });
  const Bucket = process.env.S3_BUCKET;
  try {
    for (;;) {
      const res = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix }));
      const keys = (res.Contents ?? []).map((o) => ({ Key: o.Key }));
      if (keys.length === 0) break;
      await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys, Quiet: true } }));
    }
  } finally {
    client.destroy();
  }
}
