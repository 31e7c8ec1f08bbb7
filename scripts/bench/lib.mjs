// Shared helpers for the benchmarks: timing whole commands, medians, tables.
import { spawnSync } from 'node:child_process';

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

export function machine() {
  return { node: process.version, cpus: (globalThis.navigator?.hardwareConcurrency ?? 0) };
}

/** Prints a result as a table and one JSON line (for scripts/bench/all.mjs). */
export function report(name, rows) {
  console.log(`\n${name}`);
  for (const r of rows) console.log(`  ${r.figure.padEnd(44)} ${String(r.value).padStart(12)} ${r.unit ?? ''}${r.note ? '  ' + r.note : ''}`);
  console.log('BENCH ' + JSON.stringify({ bench: name, rows }));
}
