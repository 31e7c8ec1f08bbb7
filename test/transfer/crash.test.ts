import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { stageIn, stageOut } from '../../src/transfer/index.js';
import { bundle, freshStaging, generationKeys, kind, listKeys, options, runNode, workdir, type Staging } from './helpers.js';

/**
 * kill -9 of a process in the middle of a stage-out, at each of its phases
 * and at arbitrary moments: the previous generation must stay whole and
 * restorable, and the next stage-out must clean up what was left.
 */
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const SIZE = 24 << 20; // several S3 multipart parts (8 MiB each)

let child = '';
beforeAll(async () => {
  child = await bundle('test/transfer/fixtures/stage-out-child.ts');
});

async function setup(layout: 'file' | 'dir') {
  const staging = freshStaging();
  const a = workdir();
  const write = (v: string) => {
    if (layout === 'file') {
      writeFileSync(path.join(a, 'big.ckpt'), Buffer.concat([Buffer.from(v), randomBytes(SIZE)]));
    } else {
      mkdirSync(path.join(a, 'ck'), { recursive: true });
      for (let i = 0; i < 4; i++) writeFileSync(path.join(a, `ck/part${i}`), Buffer.concat([Buffer.from(v), randomBytes(SIZE / 4)]));
    }
  };
  const checkpoints = layout === 'file' ? ['big.ckpt'] : ['ck'];
  const state = () => (layout === 'file' ? sha(readFileSync(path.join(a, 'big.ckpt'))) : [0, 1, 2, 3].map((i) => sha(readFileSync(path.join(a, `ck/part${i}`)))).join());
  write('one');
  expect((await stageOut(options(a, staging, { checkpoints, keep: 1 }))).result).toBe('ok');
  const one = state();
  write('two');
  const two = state();
  return { staging, a, checkpoints, one, two, layout };
}

async function restoredState(staging: Staging, layout: 'file' | 'dir') {
  const b = workdir();
  const r = await stageIn(options(b, staging));
  expect(r.result).toBe('ok');
  return {
    generation: r.generation,
    state: layout === 'file' ? sha(readFileSync(path.join(b, 'big.ckpt'))) : [0, 1, 2, 3].map((i) => sha(readFileSync(path.join(b, `ck/part${i}`)))).join(),
  };
}

/**
 * After the crash, one more stage-out must publish (or find the new files
 * published already: unchanged) and leave nothing but kept generations.
 */
async function recovers(s: Awaited<ReturnType<typeof setup>>, published?: boolean) {
  const r = await stageOut(options(s.a, s.staging, { checkpoints: s.checkpoints, keep: 1 }));
  if (published === undefined) expect(['ok', 'unchanged']).toContain(r.result);
  else expect(r.result).toBe(published ? 'unchanged' : 'ok');
  const keys = await listKeys(s.staging);
  expect(keys.filter((e) => e.partial)).toEqual([]);
  // Chunks: every one the kept generation lists is there, and no other.
  const gens = new Set((await generationKeys(s.staging)).map((k) => /gen-(\d+)/.exec(k)?.[1]));
  expect([...gens]).toEqual([String(r.generation).padStart(6, '0')]);
  expect((await restoredState(s.staging, s.layout)).state).toBe(s.two);
}

describe(`kill -9 during stage-out (${kind})`, () => {
  for (const layout of ['file', 'dir'] as const) {
    for (const phase of ['collected', 'uploading', 'uploaded', 'published', 'pruning']) {
      it(`${layout}: killed at '${phase}' leaves a whole generation`, async () => {
        const s = await setup(layout);
        const o = { ...options(s.a, s.staging, { checkpoints: s.checkpoints, keep: 1 }), direction: 'out' };
        let reached = false;
        const ran = await runNode(child, [JSON.stringify(o)], {
          env: { KILL_AT: phase },
          onLine: (line, kill) => {
            if (line === `phase:${phase}`) {
              reached = true;
              kill();
            }
          },
        });
        expect(reached).toBe(true);
        expect(ran.signal).toBe('SIGKILL');
        const got = await restoredState(s.staging, layout);
        // Until the manifest is written the old generation is the newest; after it, the new one.
        const published = phase === 'published' || phase === 'pruning';
        expect(got).toEqual(published ? { generation: 2, state: s.two } : { generation: 1, state: s.one });
        await recovers(s, published);
      });
    }

    for (const ms of [5, 40, 120]) {
      it(`${layout}: killed ${ms} ms into the upload leaves a whole generation`, async () => {
        const s = await setup(layout);
        const o = { ...options(s.a, s.staging, { checkpoints: s.checkpoints, keep: 1 }), direction: 'out' };
        await runNode(child, [JSON.stringify(o)], {
          onLine: (line, kill) => {
            if (line === 'phase:collected') setTimeout(kill, ms);
          },
        });
        const got = await restoredState(s.staging, layout);
        expect([JSON.stringify({ generation: 1, state: s.one }), JSON.stringify({ generation: 2, state: s.two })]).toContain(JSON.stringify(got));
        await recovers(s);
      });
    }
  }
});
