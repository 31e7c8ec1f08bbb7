import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { BIN } from '../helpers/run.js';
import { figure, pick, rng } from './lib.js';
import { tempDir } from '../helpers/temp-dir.js';
import { manifestFor, plantGeneration, tar } from './tar.js';

/**
 * Item 8, bad input: seeded fuzz of argv (flags, values, raw bytes), of the
 * manifests a staging site holds (for `transfer --in` and `checkpoints ls`)
 * and of records given to `kickstart show` (when that command exists).
 * Never a stack trace or an internal error (exit 70), never a hang; a usage
 * error is one `kickstart:` line and exit 127. Reproduce a failure with
 * KICKSTART_FAULTS_SEED=<seed printed below>.
 */
const ARGV_RUNS = Number(process.env.KICKSTART_FAULTS_ARGV_RUNS ?? 200);
const MANIFEST_RUNS = Number(process.env.KICKSTART_FAULTS_MANIFEST_RUNS ?? 60);
const RECORD_RUNS = Number(process.env.KICKSTART_FAULTS_RECORD_RUNS ?? 60);
const PARALLEL = 3;

interface Ran {
  argv: string[];
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(argv: string[], cwd: string, timeoutMs = 30_000): Promise<Ran> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KICKSTART_LOG_LEVEL: undefined } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout.length < 1 << 20 ? (stdout += c) : undefined));
    child.stderr.on('data', (c: Buffer) => (stderr.length < 1 << 20 ? (stderr += c) : undefined));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ argv, code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

async function pool<T, R>(items: T[], n: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  }));
  return out;
}

const STACK = /^\s+at .+(:\d+:\d+\)?|\(native\))$|internal error|node:internal|^\w*Error: /m;

/** What is wrong with a run, or undefined. `codes`: the exit codes this command documents. */
function problem(r: Ran, codes?: Set<number>): string | undefined {
  if (r.signal) return `killed by ${r.signal} after ${r.ms} ms (hang or crash)`;
  if (r.code === 70) return 'internal error (exit 70)';
  if (STACK.test(r.stderr)) return 'stack trace or internal error on stderr';
  if (codes && !codes.has(r.code!)) return `exit ${r.code} is not documented`;
  // A usage error prints no record and runs nothing, so it logs no JSON lines either.
  if (r.code === 127 && !r.stdout.trim() && !r.stderr.includes('{"level"')) {
    const lines = r.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('{'));
    if (lines.length !== 1 || !lines[0].startsWith('kickstart')) return `usage error is not one 'kickstart:' line: ${JSON.stringify(r.stderr.slice(0, 300))}`;
  }
  return undefined;
}

function report(label: string, runs: Ran[], codes?: Set<number>): string[] {
  const bad = runs.map((r) => ({ r, p: problem(r, codes) })).filter((x) => x.p);
  const byCode = new Map<string, number>();
  for (const r of runs) byCode.set(String(r.code ?? r.signal), (byCode.get(String(r.code ?? r.signal)) ?? 0) + 1);
  const codesText = [...byCode].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c}:${n}`).join(' ');
  figure(`fuzz ${label}: ${runs.length - bad.length}/${runs.length} clean (exit codes ${codesText})`);
  return bad.slice(0, 5).map((x) => `${x.p}\n  argv: ${JSON.stringify(x.r.argv)}\n  stderr: ${x.r.stderr.slice(0, 400)}`);
}

// ------------------------------------------------------------------ argv
const FLAGS = [
  '-n', '-N', '-R', '-L', '-T', '-H', '-f', '-q', '-i', '-o', '-e', '-B', '-l', '-w', '-W', '-I', '-s', '-S', '-X', '-k', '-K',
  '--checkpoint-time', '--max-walltime', '--checkpoint-exit-code', '--checkpoint', '--staging', '--job-id', '--keep',
  '--transfer-retries', '--transfer-backoff', '--s3-endpoint', '--allow-outside', '--retries', '--retry-delay', '--attempt',
  '--linger-grace', '--format', '--log-level', '--help', '-V', '--version',
  '--bogus', '-Z', '--', '-', '--=x', '--format=', '--tail=1', '-fq', '-Hfq', '--no-such-flag=1',
];
const SUBWORDS = ['transfer', 'checkpoints', 'ls', 'show', '--in', '--out', '--workdir', '--no-verify', '--json', '--no-progress'];
const JOBS = [['true'], ['false'], ['echo', 'fuzz'], ['sh', '-c', 'exit 7'], ['sh', '-c', 'echo x >&2; exit 3'], ['sleep', '0.1'], ['sh', '-c', 'kill -TERM $$']];

function values(root: string, site: string): string[] {
  return [
    '0', '1', '-1', '2', '07', '1e309', '1e400', 'NaN', 'Infinity', '0x10', '99999999999999999999', '1.5', '-0',
    '10ms', '0.5s', '1s', '-1s', '1.5h', '5x', 'ms', 'all', '64k', '1M', '9999999999T', 'k',
    'x', 'sub/x', '../up', '.', '..', '', ' ', '-', '!out', '^out', 'dir/', path.join(root, 'abs-file'), '/nonexistent/a',
    '/dev/null', '/dev/zero', '/proc/self/status', path.join(root, 'loop'),
    `file://${site}`, pathToFileURL(site).href, 'file://relative/x', 'file:///', 's3://', 's3://b', 's3://b/p', 's3://user:pw@b/p',
    'http://127.0.0.1:9', 'ftp://x', 'yaml', 'json', 'xml', 'trace', 'silent', 'loud', 'SIGTERM', 'a/b', '.hidden', 'é', '日本',
  ];
}

function randomBytesString(r: () => number): string {
  const n = Math.floor(r() * 24);
  let s = '';
  for (let i = 0; i < n; i++) {
    const k = r();
    // No NUL (exec cannot pass it), otherwise anything: controls, quotes, high code points, lone surrogates.
    s += k < 0.5 ? String.fromCharCode(1 + Math.floor(r() * 126)) : k < 0.9 ? String.fromCharCode(128 + Math.floor(r() * 0xd700)) : String.fromCharCode(0xd800 + Math.floor(r() * 0x800));
  }
  return s;
}

function randomArgv(r: () => number, vals: string[]): string[] {
  const argv: string[] = [];
  if (r() < 0.15) argv.push(pick(r, ['transfer', 'checkpoints', 'show']));
  if (argv[0] === 'checkpoints' && r() < 0.7) argv.push('ls');
  const n = Math.floor(r() * 7);
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.5) {
      argv.push(pick(r, FLAGS));
      if (r() < 0.8) argv.push(pick(r, vals));
    } else if (k < 0.65) argv.push(pick(r, SUBWORDS));
    else if (k < 0.85) argv.push(pick(r, vals));
    else argv.push(randomBytesString(r));
  }
  // Flag values are never run: the executable, when there is one, is a harmless job.
  if (r() < 0.7) argv.push(...(r() < 0.7 ? ['--'] : []), ...pick(r, JOBS));
  return argv;
}

// ------------------------------------------------------------------ manifests
function mutate(r: () => number, v: unknown, depth = 0): unknown {
  const garbage = [null, true, -1, 0, 1.5, 2 ** 53, 1e308, '', 'x', '../x', '/etc/passwd', [], {}, 'gen-000001/../../x', '\u0000', 'a'.repeat(5000)];
  if (depth > 4 || r() < 0.15) return pick(r, garbage);
  if (Array.isArray(v)) {
    const out = v.map((x) => (r() < 0.3 ? mutate(r, x, depth + 1) : x));
    if (r() < 0.2) out.push(pick(r, garbage));
    if (r() < 0.2) out.splice(Math.floor(r() * out.length), 1);
    return out;
  }
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (r() < 0.1) continue;
      out[r() < 0.05 ? `${k}_` : k] = r() < 0.3 ? mutate(r, x, depth + 1) : x;
    }
    return out;
  }
  return r() < 0.5 ? pick(r, garbage) : v;
}

type Planted = { label: string; plant: (site: string) => void };

function hostileSite(r: () => number, i: number): Planted {
  const data = Buffer.from('good checkpoint\n');
  const good = manifestFor('j', 1, 'c.txt', 'file', data, [{ path: 'c.txt', type: 'file', data }]);
  const files = [{ path: 'd', type: 'dir' as const }, { path: 'd/a', type: 'file' as const, data: Buffer.from('a') }, { path: 'd/l', type: 'symlink' as const, target: 'a' }];
  const obj2 = tar(files.map((f) => ({ name: f.path, type: f.type, data: f.data, linkname: f.target })));
  const second = manifestFor('j', 2, 'checkpoint.tar', 'tar', obj2, files);
  const kind = Math.floor(r() * 9);
  return {
    label: `#${i} kind ${kind}`,
    plant: (site) => {
      plantGeneration(site, 'j', 1, 'c.txt', data, JSON.stringify(good));
      const g2 = path.join(site, 'j', 'gen-000002.manifest.json');
      const put = (m: string | Buffer, obj: Buffer = obj2) => plantGeneration(site, 'j', 2, 'checkpoint.tar', obj, m);
      const text = JSON.stringify(second);
      switch (kind) {
        case 0: return put(Buffer.from(Array.from({ length: Math.floor(r() * 4096) }, () => Math.floor(r() * 256))));
        case 1: return put(text.slice(0, Math.floor(r() * text.length)));
        case 2: return put(JSON.stringify(mutate(r, second)));
        case 3: return put(text, Buffer.from(obj2.subarray(0, Math.floor(r() * obj2.length))));
        case 4: {
          const bad = Buffer.from(obj2);
          for (let k = 0; k < 8; k++) bad[Math.floor(r() * bad.length)] = Math.floor(r() * 256);
          return put(text, bad);
        }
        case 5: return put('['.repeat(200_000));
        case 6: {
          put(text);
          // The manifest is a directory, a dangling link, or a link to an endless device.
          const which = Math.floor(r() * 3);
          rmSync(g2);
          if (which === 0) mkdirSync(g2);
          else symlinkSync(which === 1 ? '/nonexistent' : '/dev/zero', g2);
          return;
        }
        case 7: {
          // Odd names beside the real generations.
          for (const n of ['gen-99999999999999999999.manifest.json', 'gen-000003.manifest.json.tmp-abc', 'gen-abc.manifest.json', 'gen-000004/', 'x', 'gen--1.manifest.json']) {
            if (n.endsWith('/')) mkdirSync(path.join(site, 'j', n), { recursive: true });
            else writeFileSync(path.join(site, 'j', n), JSON.stringify(mutate(r, second)));
          }
          return;
        }
        default: {
          const m = mutate(r, second) as Record<string, unknown>;
          if (m && typeof m === 'object' && !Array.isArray(m)) {
            m.format = 'kickstart-checkpoint/1';
            m.job_id = 'j';
            m.generation = 2;
          }
          return put(JSON.stringify(m));
        }
      }
    },
  };
}

describe('bad input fuzz', () => {
  it(`argv: ${ARGV_RUNS} random command lines`, async () => {
    const root = tempDir('fuzz-argv').dir;
    const site = path.join(root, 'site');
    writeFileSync(path.join(root, 'abs-file'), 'abs\n');
    symlinkSync('loop', path.join(root, 'loop'));
    const r = rng('argv');
    const vals = values(root, site);
    const cases = Array.from({ length: ARGV_RUNS }, (_, i) => ({ argv: randomArgv(r, vals), dir: path.join(root, `c${i}`) }));
    const runs = await pool(cases, PARALLEL, async (c) => {
      mkdirSync(c.dir);
      writeFileSync(path.join(c.dir, 'x'), 'x\n');
      return run(c.argv, c.dir);
    });
    expect(report('argv', runs)).toEqual([]);
  });

  it(`manifests: ${MANIFEST_RUNS} hostile staging sites for transfer --in and checkpoints ls`, async () => {
    const root = tempDir('fuzz-manifest').dir;
    const r = rng('manifests');
    const sites = Array.from({ length: MANIFEST_RUNS }, (_, i) => hostileSite(r, i));
    const runsIn: Ran[] = [];
    const runsLs: Ran[] = [];
    const wrong: string[] = [];
    await pool(sites, PARALLEL, async (s) => {
      const dir = path.join(root, s.label.replace(/\W+/g, '_'));
      const site = path.join(dir, 'site');
      const work = path.join(dir, 'work');
      mkdirSync(work, { recursive: true });
      s.plant(site);
      const url = pathToFileURL(site).href;
      const a = await run(['transfer', '--in', '--staging', url, '--job-id', 'j', '--workdir', work, '--transfer-retries', '1', '--transfer-backoff', '10ms'], dir);
      runsIn.push(a);
      // Whatever gen-000002 holds, gen-000001 is good: the restore rolls back to it or takes a verified gen-000002.
      if (a.code === 0 && !existsSync(path.join(work, 'c.txt')) && !existsSync(path.join(work, 'd', 'a'))) wrong.push(`${s.label}: exit 0 but nothing restored`);
      if (a.code !== 0) wrong.push(`${s.label}: transfer --in exit ${a.code}: ${a.stderr.slice(0, 300)}`);
      runsLs.push(await run(['checkpoints', 'ls', '--staging', url, '--job-id', 'j'], dir));
    });
    const bad = [...report('manifests/transfer --in', runsIn, new Set([0, 20])), ...report('manifests/checkpoints ls', runsLs, new Set([0, 1]))];
    expect([...bad, ...wrong]).toEqual([]);
  });

  const show = path.join(path.dirname(BIN), '..', 'src', 'cli', 'commands', 'show.ts');
  it.skipIf(!existsSync(show))(`records: ${RECORD_RUNS} garbage records for kickstart show`, async () => {
    const root = tempDir('fuzz-show').dir;
    const r = rng('records');
    const base = await run(['-f', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], root);
    const good = base.stdout;
    const cases = Array.from({ length: RECORD_RUNS }, (_, i) => {
      const k = Math.floor(r() * 5);
      let text: string | Buffer;
      if (k === 0) text = Buffer.from(Array.from({ length: Math.floor(r() * 4096) }, () => Math.floor(r() * 256)));
      else if (k === 1) text = good.slice(0, Math.floor(r() * good.length));
      else if (k === 2) text = good.split('\n').map((l) => (r() < 0.1 ? randomBytesString(r) : r() < 0.05 ? '' : l)).join('\n');
      else if (k === 3) text = pick(r, ['', '---\n', '[]', '{}', '- 1\n- 2', 'a: &a [*a]', '- &x {a: *x}', '{'.repeat(100_000), 'x: !!binary ???', 'null', '- ' + 'a'.repeat(1 << 20)]);
      else text = JSON.stringify(mutate(r, JSON.parse(JSON.stringify(parseYaml(good) ?? null))));
      const file = path.join(root, `r${i}.yml`);
      writeFileSync(file, text);
      return file;
    });
    const runs = await pool(cases, PARALLEL, (f) => run(['show', f], root));
    expect(report('records/show', runs)).toEqual([]);
  });
});
