import { describe, it, expect } from 'vitest';
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { stageIn, stageOut } from '../../src/transfer/index.js';
import { freshStaging, listKeys, options, readObject, repoRoot, runNode, workdir } from './helpers.js';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('torn checkpoint files', () => {
  it('a file that changes once while it is read is read again, and the new content is published', async () => {
    const staging = freshStaging();
    const a = workdir();
    const f = path.join(a, 'state.ckpt');
    writeFileSync(f, randomBytes(2 << 20));
    const seen: number[] = [];
    const r = await stageOut(
      options(a, staging, {
        layout: 'object',
        checkpoints: ['state.ckpt'],
        hooks: {
          afterRead: (_p, attempt) => {
            seen.push(attempt);
            if (attempt === 1) appendFileSync(f, 'more');
          },
        },
      }),
    );
    expect(seen).toEqual([1, 2]);
    expect(r.result).toBe('ok');
    const now = readFileSync(f);
    expect(r.files).toEqual([{ path: 'state.ckpt', size: now.length, sha256: sha(now) }]);
    expect(sha(await readObject(staging, 'job-1/gen-000001/state.ckpt'))).toBe(sha(now));
  });

  it('a file replaced by a rename while it is read is read again at once: the new version is whole (no wait)', async () => {
    const staging = freshStaging();
    const a = workdir();
    const f = path.join(a, 'counter');
    writeFileSync(f, '1');
    const seen: number[] = [];
    const t0 = performance.now();
    const r = await stageOut(
      options(a, staging, {
        layout: 'object',
        checkpoints: ['counter'],
        // The wait a file written in place gets: a rename must not pay it (live shipping lagged by it).
        backoffMs: 1000,
        hooks: {
          afterRead: (_p, attempt) => {
            seen.push(attempt);
            if (seen.length === 1) {
              writeFileSync(`${f}.tmp`, '2');
              renameSync(`${f}.tmp`, f);
            }
          },
        },
      }),
    );
    expect(r.result).toBe('ok');
    expect(seen.length).toBe(2);
    expect(performance.now() - t0).toBeLessThan(900);
    expect((await readObject(staging, 'job-1/gen-000001/counter')).toString()).toBe('2');
  });

  it('inside an archive too: the whole archive is made again from fresh reads', async () => {
    const staging = freshStaging();
    const a = workdir();
    mkdirSync(path.join(a, 'ck'));
    for (let i = 0; i < 3; i++) writeFileSync(path.join(a, `ck/f${i}`), `v1-${i}`);
    const r = await stageOut(
      options(a, staging, {
        checkpoints: ['ck'],
        hooks: {
          afterRead: (p, attempt) => {
            if (attempt === 1 && p === 'ck/f1') writeFileSync(path.join(a, 'ck/f1'), 'v2-1 longer');
          },
        },
      }),
    );
    expect(r.result).toBe('ok');
    const b = workdir();
    expect((await stageIn(options(b, staging))).result).toBe('ok');
    expect(readFileSync(path.join(b, 'ck/f1'), 'utf8')).toBe('v2-1 longer');
  });

  it('a file rewritten all the time fails stage-out after 3 tries with a clear message, and nothing is published', async () => {
    const staging = freshStaging();
    const a = workdir();
    const f = path.join(a, 'busy.ckpt');
    writeFileSync(f, Buffer.alloc(1 << 20, 1));
    const child = spawn(process.execPath, [path.join(repoRoot, 'test/transfer/fixtures/rewriter.mjs'), f], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      // On a loaded machine the writer can sit descheduled for a whole read;
      // each read ends only once the writer has really written after it.
      const writtenSince = async () => {
        const t0 = statSync(f, { bigint: true }).ctimeNs;
        for (let i = 0; i < 500 && statSync(f, { bigint: true }).ctimeNs === t0; i++) await sleep(10);
      };
      const r = await stageOut(options(a, staging, { checkpoints: ['busy.ckpt'], hooks: { afterRead: writtenSince } }));
      expect(r.result).toBe('failed');
      expect(r.error).toMatch(/^stage-out to \S+ failed: checkpoint file 'busy.ckpt' changed while it was read \(.+\), 3 times; nothing was published/);
      expect((await listKeys(staging)).filter((e) => e.key.endsWith('.manifest.json'))).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('the rewriter fixture really runs (sanity)', async () => {
    const r = await runNode(path.join(repoRoot, 'test/transfer/fixtures/rewriter.mjs'), [path.join(workdir(), 'x')], {
      onLine: (_l, kill) => kill(),
    });
    expect(r.signal).toBe('SIGKILL');
  });
});
