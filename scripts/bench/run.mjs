#!/usr/bin/env node
// `npm run bench`: runs every benchmark in scripts/bench/ and writes
// BENCHMARKS.md (figure, kickstart's value and spread, the baseline measured
// in the same run, the ratio, the target, met or not, and the machine).
//
//   npm run bench [-- --quick] [--only NAME,...] [--s3] [--out FILE]
//
// --quick   smaller files, fewer rounds: under a minute in all (CI runs it;
//           figures are printed there, never asserted)
// --only    run only these benches (file names without .mjs)
// --s3      start a throw-away S3 server (scripts/s3/s3-server.sh) for the
//           benches that need one, when S3_ENDPOINT is not set already
// --out     where to write the table (default BENCHMARKS.md at the repo root;
//           --quick writes none unless --out is given)
// --update  with --only: keep the other benches' rows of the existing table
//           (its results are kept, as JSON, in a comment at its end)
//
// The convention a bench follows to be picked up (any scripts/bench/*.mjs
// but lib.mjs, run.mjs and names starting with `_`):
// - it is a standalone script, run here as `node FILE [--quick]` with the
//   environment of this process (S3_* included when a server is up), one
//   after another, never two at once (they would time each other);
// - it prints exactly one line `BENCH {json}` on stdout, with lib.mjs's
//   emit(bench, figures) where each figure is lib.mjs's figure(): { figure,
//   unit, stat, value, spread: [p10, p90], n, baseline: { name, value },
//   ratio, target, met, note } — or skip(bench, why) when something it needs
//   is absent (no S3 server, no compiler): the table lists it as skipped;
// - everything else (progress, human tables) goes to stderr;
// - it cleans up after itself and exits 0; a non-zero exit or a missing
//   BENCH line is listed as failed, with the last line of its stderr.
// Older benches printing lib.mjs's report() rows are shown as reported values.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, machine } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const opt = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const only = opt('--only')?.split(',');
const out = opt('--out') ?? (quick ? undefined : path.join(root, 'BENCHMARKS.md'));
// Per bench: a hung bench must not hang CI.
const timeoutMs = (quick ? 120 : 1800) * 1000;
// The results behind the table, kept at its end for --update.
const MARK = '<!-- results ';

const files = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && !f.startsWith('_') && f !== 'lib.mjs' && f !== 'run.mjs')
  .filter((f) => !only || only.includes(f.replace(/\.mjs$/, '')))
  .sort();

const env = { ...process.env };
const s3 = argv.includes('--s3') && !env.S3_ENDPOINT ? startS3(env) : undefined;
const started = Date.now();
const runAt = new Date(started).toISOString().slice(0, 16).replace('T', ' ');
const results = [];
try {
  for (const f of files) {
    process.stderr.write(`\n== ${f}${quick ? ' --quick' : ''}\n`);
    results.push({ file: f, at: runAt, ...(await runBench(path.join(here, f))) });
  }
} finally {
  if (s3) stopS3(s3);
}
const m = machine();
const all = argv.includes('--update') && out ? [...previous(out).filter((r) => !results.some((n) => n.file === r.file)), ...results] : results;
all.sort((a, b) => a.file.localeCompare(b.file));
const table = render(all, m, quick, (Date.now() - started) / 1000);
process.stdout.write('\n' + table);
if (out) {
  writeFileSync(out, table);
  process.stderr.write(`\nwrote ${path.relative(process.cwd(), out) || out}\n`);
}

function runBench(file) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [file, ...(quick ? ['--quick'] : [])], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let lastErr = '';
    const t0 = Date.now();
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => {
      process.stderr.write(c);
      const lines = String(c).trim().split('\n').filter(Boolean);
      if (lines.length) lastErr = lines.at(-1);
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - t0) / 1000;
      const line = stdout.split('\n').filter((l) => l.startsWith('BENCH ')).at(-1);
      let parsed;
      try {
        parsed = line ? JSON.parse(line.slice(6)) : undefined;
      } catch {
        parsed = undefined;
      }
      if (code !== 0 || !parsed) {
        const why = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` after ${timeoutMs / 1000} s` : ''}` : code !== 0 ? `exit ${code}` : 'no BENCH line';
        resolve({ seconds, failed: `${why}: ${lastErr}` });
      } else resolve({ seconds, ...parsed });
    });
  });
}

function startS3(e) {
  const script = path.join(root, 'scripts/s3/s3-server.sh');
  const dir = mkdtempSync(path.join(tmpdir(), 'kickstart-bench-s3-'));
  try {
    execFileSync('bash', [script, 'start', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`bench: could not start the S3 server (${err.message}): S3 benches will be skipped\n`);
    return undefined;
  }
  for (const line of readFileSync(path.join(dir, 's3.env'), 'utf8').split('\n')) {
    const kv = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (kv) e[kv[1]] = kv[2];
  }
  return { script, dir };
}

function stopS3({ script, dir }) {
  try {
    execFileSync('bash', [script, 'stop', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function num(x, unit) {
  if (!Number.isFinite(x)) return '–';
  const d = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return `${x.toFixed(d)} ${unit}`;
}

/** The results stored in an earlier table, for --update. */
function previous(file) {
  try {
    const text = readFileSync(file, 'utf8');
    const i = text.lastIndexOf(MARK);
    return i < 0 ? [] : JSON.parse(text.slice(i + MARK.length, text.indexOf(' -->', i)));
  } catch {
    return [];
  }
}

function render(results, m, quick, seconds) {
  const runs = [...new Set(results.map((r) => r.at))];
  const rows = [];
  for (const r of results) {
    if (r.failed) rows.push(`| ${r.file} | failed: ${r.failed.replaceAll('|', '\\|')} | | | | |`);
    else if (r.skipped) rows.push(`| ${r.bench} | skipped: ${r.skipped.replaceAll('|', '\\|')} | | | | |`);
    else if (r.rows) for (const x of r.rows) rows.push(`| ${x.figure} | ${x.value} ${x.unit ?? ''} | ${x.note ?? ''} | | | reported |`);
    else {
      for (const f of r.figures) {
        const stat = f.stat === 'median' ? '' : `${f.stat} `;
        const value = `${stat}${num(f.value, f.unit)} (${fmt(f.spread[0], f.spread[0] < 10 ? 2 : 0)}–${fmt(f.spread[1], f.spread[1] < 10 ? 2 : 0)}, n=${f.n})`;
        const base = f.baseline ? `${f.baseline.name}: ${num(f.baseline.value, f.unit)}` : '–';
        const ratio = f.ratio !== undefined ? `${fmt(f.ratio)}×` : '–';
        const met = f.met === undefined ? 'reported' : f.met ? 'met' : '**missed**';
        rows.push(`| ${f.figure}${f.note ? ` (${f.note})` : ''} | ${value} | ${base} | ${ratio} | ${f.target ?? '–'} | ${met} |`);
      }
    }
  }
  return `# Benchmarks

Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` (scripts/bench/run.mjs) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, in ${Math.round(seconds)} s.
Every figure is kickstart's value (median unless marked; p10–p90 spread and sample count in brackets)
beside a baseline measured in the same run, interleaved where it can be, so that the ratio holds on a
noisy machine even when the absolute times do not.${quick ? '\n\n**Quick mode**: small files and few rounds; the figures only show that the harness works.' : ''}

| figure | kickstart | baseline | ratio | target | met |
|---|---|---|---|---|---|
${rows.join('\n')}

Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB memory, ${m.kernel}, Node ${m.node}; load average at the end ${m.load}.${runs.length > 1 ? `\nRuns (UTC) the rows come from: ${runs.map((t) => `${t}: ${results.filter((r) => r.at === t).map((r) => r.file.replace(/\.mjs$/, '')).join(', ')}`).join('; ')}.` : ''}

${MARK}${JSON.stringify(results).replaceAll('-->', '--\\u003e')} -->
`;
}
