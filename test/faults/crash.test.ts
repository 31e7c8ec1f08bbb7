import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openSite, type SiteOptions } from '../../src/staging/index.js';
import { scanGenerations } from '../../src/transfer/generations.js';
import { BIN } from '../helpers/run.js';
import { figure, fmtMiB, MiB, rng, s3, stagingServers, uniquePrefix } from './lib.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Item 1, crash anywhere: `kickstart transfer --out` of a 256 MiB checkpoint
 * is killed with SIGKILL at random moments across its whole run; after every
 * kill a restore (`kickstart transfer --in`) must give a generation whose
 * bytes we check ourselves against a version we wrote, never older than the
 * last one restored. One first generation exists before the kills. Restores
 * go to a tmpfs so the suite measures kickstart, not the disk.
 */
const KILLS = Number(process.env.KICKSTART_FAULTS_KILLS ?? 100);
/** sftp:// and davs:// take 7-11 s a stage-out and restore of 256 MiB on 2 cores: 12 kills each (~6 min for both) keep the suite within CI time. */
const KIND_KILLS = Number(process.env.KICKSTART_FAULTS_KIND_KILLS ?? 12);
/** 100 kills take ~4 min on an idle 2-core machine; a loaded one needs far more. */
const TIMEOUT = 60 * 60_000;
const mounted = new Set<string>();
afterAll(() => {
  for (const m of mounted) execFileSync('umount', ['-l', m]);
});
const SIZE = 256 * MiB;
const TAG = 16;

interface Ran {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function kickstart(args: string[], killAfterMs?: number, tmp?: string): Promise<Ran> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const env = tmp ? { ...process.env, TMPDIR: tmp } : process.env;
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const timer = killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : undefined;
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

const tag = (v: number) => Buffer.from(`version-${String(v).padStart(8, '0')}`.slice(0, TAG).padEnd(TAG, '.'));

/** A 256 MiB random file whose last 16 bytes name its version; sums of every version without rereading it. */
function bigCheckpoint(file: string): { setVersion: (v: number) => void; sumOf: (v: number) => string } {
  const fd = openSync(file, 'w');
  const body: Hash = createHash('sha256');
  try {
    for (let off = 0; off < SIZE - TAG; off += 16 * MiB) {
      const chunk = randomBytes(Math.min(16 * MiB, SIZE - TAG - off));
      writeSync(fd, chunk);
      body.update(chunk);
    }
    writeSync(fd, tag(0));
  } finally {
    closeSync(fd);
  }
  return {
    setVersion: (v) => {
      const f = openSync(file, 'r+');
      writeSync(f, tag(v), 0, TAG, SIZE - TAG);
      closeSync(f);
    },
    sumOf: (v) => body.copy().update(tag(v)).digest('hex'),
  };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

async function crashRun(label: string, staging: string, extra: string[], kills = KILLS, siteOptions: SiteOptions = { s3Endpoint: extra[1] }) {
  const KILLS = kills;
  const root = tempDir(`crash-${label}`).dir;
  const work = path.join(root, 'work');
  const restore = path.join(root, 'restore');
  // kickstart's own TMPDIR: what is in it after the kills is what they left behind (#18 item 6).
  const tmp = path.join(root, 'tmp');
  mkdirSync(work);
  mkdirSync(restore);
  mkdirSync(tmp);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=600m', 'tmpfs', restore]);
  mounted.add(restore);
  try {
    const ck = bigCheckpoint(path.join(work, 'big.ckpt'));
    const r = rng(`crash-${label}`);
    const out = (v: number, kill?: number) => {
      ck.setVersion(v);
      return kickstart(['transfer', '--out', '--checkpoint', 'big.ckpt', '--staging', staging, '--job-id', 'crash', '--workdir', work, '--keep', '2', '--no-progress', ...extra], kill, tmp);
    };
    const first = await out(1);
    expect(first.code, first.stderr).toBe(0);
    // Kill times span the latest uninterrupted stage-out: on a machine whose load changes, the
    // first one alone would put most kills after the end (or all of them before it).
    let duration = first.ms;
    let lastVersion = 1;
    let verified = 0;
    let newer = 0;
    const killTimes: number[] = [];
    const restoreMs: number[] = [];
    const failures: string[] = [];
    for (let i = 0; i < KILLS; i++) {
      const v = i + 2;
      const at = Math.round(r() * duration);
      const k = await out(v, at);
      if (k.signal === 'SIGKILL') killTimes.push(at);
      else if (k.code === 0) duration = k.ms;
      else failures.push(`#${i}: stage-out without a kill exited ${k.code}: ${k.stderr.slice(-300)}`);
      rmSync(path.join(restore, 'big.ckpt'), { force: true });
      const back = await kickstart(['transfer', '--in', '--staging', staging, '--job-id', 'crash', '--workdir', restore, '--no-progress', ...extra]);
      restoreMs.push(back.ms);
      if (back.code !== 0) {
        failures.push(`#${i} (kill at ${at} ms): restore exited ${back.code}: ${back.stderr.slice(-400)}`);
        continue;
      }
      const bytes = readFileSync(path.join(restore, 'big.ckpt'));
      const sum = createHash('sha256').update(bytes).digest('hex');
      const got = bytes.subarray(SIZE - TAG).toString();
      const gv = Number(/version-(\d+)/.exec(got)?.[1] ?? -1);
      if (gv < lastVersion || gv > v || sum !== ck.sumOf(gv)) {
        failures.push(`#${i} (kill at ${at} ms): restored version ${gv} (sum ok: ${sum === ck.sumOf(gv)}), expected ${lastVersion}..${v}`);
        continue;
      }
      if (gv === v) newer++;
      lastVersion = gv;
      verified++;
      if ((i + 1) % 10 === 0) console.log(`[faults] crash ${label}: ${verified}/${i + 1} verified so far`);
    }
    // Recovery: one more stage-out publishes and clears what the kills left behind.
    const last = await out(KILLS + 2);
    expect(last.code, last.stderr).toBe(0);
    const site = await openSite(staging, siteOptions);
    let leftovers = 0;
    let published = 0;
    try {
      const gens = scanGenerations(await site.list('crash/'), 'crash');
      leftovers = gens.reduce((n, g) => n + g.leftovers.length + (g.manifest ? 0 : g.data.length), 0);
      published = gens.filter((g) => g.manifest).length;
    } finally {
      site.close();
    }
    const tmpLeft = readdirSync(tmp);
    figure(
      `crash ${label}: ${tmpLeft.length} files left in TMPDIR after the kills; ${verified}/${KILLS} restores verified after kill -9 during stage-out of ${fmtMiB(SIZE)} ` +
        `(${killTimes.length} killed mid-run, ${newer} restored the new generation; first uninterrupted stage-out ${(first.ms / 1000).toFixed(2)} s; ` +
        `kill times median ${pct(killTimes, 0.5) ?? '-'} ms, max ${pct(killTimes, 1) ?? '-'} ms; restore median ${(pct(restoreMs, 0.5) / 1000).toFixed(2)} s; ` +
        `after recovery: ${published} generations, ${leftovers} leftovers)`,
    );
    expect(failures.slice(0, 5)).toEqual([]);
    expect(verified).toBe(KILLS);
    expect(leftovers).toBe(0);
    expect(tmpLeft).toEqual([]);
    expect(published).toBeLessThanOrEqual(2);
  } finally {
    execFileSync('umount', [restore]);
    mounted.delete(restore);
  }
}

describe('crash anywhere', () => {
  it(`file://: ${KILLS} kill -9 during stage-out, every restore verified`, async () => {
    const site = path.join(tempDir('crash-site').dir, 'site');
    await crashRun('file://', pathToFileURL(site).href, []);
  }, TIMEOUT);

  const server = s3();
  it.skipIf(!server)(`s3://: ${KILLS} kill -9 during stage-out, every restore verified`, async () => {
    await crashRun('s3://', `s3://${server!.bucket}/${uniquePrefix('crash')}`, ['--s3-endpoint', server!.endpoint]);
  }, TIMEOUT);

  // The same on the real sshd and nginx WebDAV the global set-up started.
  const remote = stagingServers();
  it.skipIf(!remote)(`sftp://: ${KIND_KILLS} kill -9 during stage-out, every restore verified`, async () => {
    const r = remote!.sftp(uniquePrefix('crash'));
    await crashRun('sftp://', r.url, r.flags, KIND_KILLS, r.site);
  }, TIMEOUT);
  it.skipIf(!remote)(`davs://: ${KIND_KILLS} kill -9 during stage-out, every restore verified`, async () => {
    const r = remote!.webdav(uniquePrefix('crash'));
    await crashRun('davs://', r.url, r.flags, KIND_KILLS, r.site);
  }, TIMEOUT);
});
