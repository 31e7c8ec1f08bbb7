import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { openSite } from '../../src/staging/index.js';
import { scanGenerations } from '../../src/transfer/generations.js';
import { readEnvFile } from '../helpers/env-file.js';
import { ks } from '../helpers/run.js';
import { figure, MiB, stagingServers, uniquePrefix } from './lib.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * "The server stops mid-upload" on the real servers of sftp:// and davs://:
 * a throw-away sshd and nginx of this test's own (scripts/staging/servers.sh),
 * stopped, sessions and all, once the upload of generation 2 is under way on
 * the server's disk. Stage-out must end in bounded retries, one clear error,
 * exit 21 and a written record; with the server back, only generation 1 is
 * visible, and the next stage-out publishes and clears what the stop left.
 */
const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/staging/servers.sh');
const SIZE = 128 * MiB;
const available = stagingServers() !== undefined;

/** Bytes of all files below `dir`. */
function treeBytes(dir: string): number {
  let sum = 0;
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(d, n);
      try {
        const st = statSync(p);
        if (st.isDirectory()) walk(p);
        else sum += st.size;
      } catch {
        // gone between readdir and stat: a rename or a cleanup
      }
    }
  };
  walk(dir);
  return sum;
}

describe.skipIf(!available)('the staging server stops mid-upload', () => {
  const results: string[] = [];
  for (const kind of ['sftp', 'webdav'] as const) {
    it(kind, async () => {
      const dir = path.join(tempDir(`stop-${kind}`).dir, 'servers');
      execFileSync('bash', [script, 'start', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
      try {
        const env = readEnvFile(path.join(dir, 'staging.env'));
        const remote = stagingServers(env)!;
        const r = kind === 'sftp' ? remote.sftp(uniquePrefix('stop')) : remote.webdav(uniquePrefix('stop'));
        const auth = { KICKSTART_WEBDAV_USER: env.DAV_USER, KICKSTART_WEBDAV_PASSWORD: env.DAV_PASSWORD };
        // An upload in flight shows on the server's disk as growth of its
        // data tree: chunks of at most 4 MiB each (content-addressed
        // generations), under temp names, nginx's body buffers, or in place.
        const serverBytes = () => treeBytes(kind === 'sftp' ? env.SFTP_ROOT_DIR : path.join(dir, 'dav'));
        const work = path.join(path.dirname(dir), 'job');
        mkdirSync(work);
        writeFileSync(path.join(work, 'big.bin'), randomBytes(SIZE));
        const base = ['--checkpoint', 'big.bin', '--staging', r.url, '--job-id', 't', ...r.flags];
        const first = await ks(['transfer', '--out', ...base, '--workdir', work, '--no-progress'], { env: auth, timeout: 300_000 });
        expect(first.exitCode, first.stderr).toBe(0);

        const rec = path.join(work, '..', 'rec.yml');
        const before = serverBytes();
        const t0 = performance.now();
        // New content throughout: an appended byte would send one chunk, not an upload to stop.
        const rewrite = `head -c ${SIZE} /dev/urandom > big.bin`;
        const run = ks(['-l', rec, ...base, '--transfer-retries', '2', '--transfer-backoff', '200ms', '--', 'sh', '-c', rewrite], {
          cwd: work,
          env: auth,
          timeout: 300_000,
        });
        let stoppedAt: number | undefined;
        let seen = 0;
        for (let i = 0; i < 6000 && stoppedAt === undefined; i++) {
          seen = serverBytes() - before;
          if (seen >= 8 * MiB) {
            execFileSync('bash', [script, 'pause', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
            stoppedAt = performance.now();
          } else await sleep(5);
        }
        const res = await run;
        const seconds = (performance.now() - t0) / 1000;
        expect(stoppedAt, 'the upload was seen on the server and the server stopped').toBeDefined();
        expect(res.exitCode, `stopped ${((stoppedAt! - t0) / 1000).toFixed(2)} s in; ${res.stderr.slice(-3000)}`).toBe(21);
        const record = (parse(readFileSync(rec, 'utf8')) as any[]).at(-1);
        const out = record.kickstart?.stage_out;
        expect(out).toMatchObject({ direction: 'out', result: 'failed', url: r.url, attempts: 3 });
        expect(out.error).not.toContain('\n');
        expect(res.stderr).not.toMatch(/\n\s+at /);
        expect(res.stderr + readFileSync(rec, 'utf8')).not.toContain(env.DAV_PASSWORD);

        // The server comes back: generation 1 only; the next stage-out publishes 2 and clears the leftovers.
        execFileSync('bash', [script, 'start', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
        const listGens = async () => {
          const site = await openSite(r.url, r.site);
          try {
            return scanGenerations(await site.list('t/'), 't');
          } finally {
            site.close();
          }
        };
        const old = process.env.KICKSTART_WEBDAV_PASSWORD;
        Object.assign(process.env, auth);
        try {
          expect((await listGens()).filter((g) => g.manifest).map((g) => g.generation)).toEqual([1]);
          const again = await ks(['transfer', '--out', ...base, '--workdir', work, '--no-progress'], { env: auth, timeout: 300_000 });
          expect(again.exitCode, again.stderr).toBe(0);
          const gens = await listGens();
          const published = gens.filter((g) => g.manifest).map((g) => g.generation);
          expect(published).toHaveLength(2);
          expect(published[0]).toBe(1);
          expect(gens.reduce((n, g) => n + g.leftovers.length + (g.manifest ? 0 : g.data.length), 0)).toBe(0);
        } finally {
          process.env.KICKSTART_WEBDAV_PASSWORD = old;
        }
        results.push(`${kind}: stopped with ${(seen / MiB).toFixed(0)} MiB of ${SIZE / MiB} MiB on the server; exit 21 after ${seconds.toFixed(1)} s, ${out.attempts} attempts, record written; restarted: generation 1 only, next stage-out published a second and left 0 leftovers; error: ${String(out.error).slice(0, 140)}`);
      } finally {
        execFileSync('bash', [script, 'stop', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
      }
    });
  }
  it('figures', () => {
    for (const line of results) figure(`staging server stops mid-upload, ${line}`);
  });
});
