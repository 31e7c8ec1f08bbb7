import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { openSite } from '../../src/staging/index.js';
import { scanGenerations } from '../../src/transfer/generations.js';
import { ks } from '../helpers/run.js';
import { proxy, type Mode } from '../helpers/s3-proxy.js';
import { figure, MiB, s3, uniquePrefix } from './lib.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Item 2, staging trouble: a TCP proxy between kickstart and the S3 gateway
 * lets stage-in through, then, from the first upload request on, stops
 * (closes every connection and refuses new ones: the server gone mid-upload),
 * answers 503 to everything, cuts every connection after 256 KiB, or
 * throttles to 4 MiB/s. Failures end in bounded retries, one clear error,
 * a record that is still written, exit 21, and no new generation visible at
 * the gateway itself; a slow server only makes the upload slower.
 */
const SLOW_BPS = 4 * MiB;

const server = s3();

describe.skipIf(!server)('staging trouble on S3', () => {
  const results: string[] = [];
  for (const mode of ['stop', 'errors', 'cut', 'slow'] as Mode[]) {
    it(`${mode}`, async () => {
      const s = server!;
      const upstream = Number(new URL(s.endpoint).port);
      const staging = `s3://${s.bucket}/${uniquePrefix(`trouble-${mode}`)}`;
      const work = path.join(tempDir(`trouble-${mode}`).dir, 'job');
      mkdirSync(work);
      const data = randomBytes(24 * MiB);
      writeFileSync(path.join(work, 'big.bin'), data);
      const first = await ks(['transfer', '--out', '--checkpoint', 'big.bin', '--staging', staging, '--job-id', 't', '--workdir', work, '--s3-endpoint', s.endpoint, '--no-progress']);
      expect(first.exitCode, first.stderr).toBe(0);

      const px = await proxy(upstream, mode, SLOW_BPS);
      const rec = path.join(work, '..', 'rec.yml');
      const t0 = performance.now();
      const r = await ks(
        ['-l', rec, '--checkpoint', 'big.bin', '--staging', staging, '--job-id', 't', '--s3-endpoint', `http://127.0.0.1:${px.port}`,
          // The job rewrites the file: identical data would publish nothing (unchanged), and
          // one changed byte would send one chunk, not an upload to disturb.
          '--transfer-retries', '2', '--transfer-backoff', '200ms', '--', 'sh', '-c', `head -c ${data.length} /dev/urandom > big.bin`],
        { cwd: work, timeout: 600_000 },
      );
      const seconds = (performance.now() - t0) / 1000;
      await px.close();
      expect(px.armedAt, 'the proxy saw an upload').toBeDefined();
      const record = (parse(readFileSync(rec, 'utf8')) as any[]).at(-1);
      const out = record.kickstart?.stage_out ?? record.kickstart?.transfer?.out ?? findKey(record, 'stage_out');

      const site = await openSite(staging, { s3Endpoint: s.endpoint });
      const gens = scanGenerations(await site.list('t/'), 't').filter((g) => g.manifest).map((g) => g.generation);
      site.close();

      if (mode === 'slow') {
        expect(r.exitCode, r.stderr.slice(-600)).toBe(0);
        expect(gens).toContain(2);
        results.push(`slow (${SLOW_BPS / MiB} MiB/s): published in ${seconds.toFixed(1)} s, exit 0`);
        return;
      }
      expect(r.exitCode, r.stderr.slice(-600)).toBe(21);
      expect(out, JSON.stringify(record).slice(0, 400)).toBeTruthy();
      expect(JSON.stringify(out)).toMatch(/failed/);
      expect(gens).toEqual([1]);
      const errLine = r.stderr.split('\n').filter((l) => l.includes('stage-out failed')).at(-1) ?? '';
      expect(errLine).not.toBe('');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(seconds).toBeLessThan(300);
      const attempts = (out as { attempts?: number }).attempts;
      results.push(`${mode}: exit 21 after ${seconds.toFixed(1)} s, ${attempts ?? '?'} attempts, record written, visible generations [${gens.join(', ')}]; error: ${((out as { error?: string }).error ?? '').slice(0, 140)}`);
    });
  }
  it('figures', () => {
    for (const line of results) figure(`S3 trouble, ${line}`);
  });
});

function findKey(o: unknown, key: string): unknown {
  if (!o || typeof o !== 'object') return undefined;
  if (key in (o as Record<string, unknown>)) return (o as Record<string, unknown>)[key];
  for (const v of Object.values(o as Record<string, unknown>)) {
    const f = findKey(v, key);
    if (f !== undefined) return f;
  }
  return undefined;
}
