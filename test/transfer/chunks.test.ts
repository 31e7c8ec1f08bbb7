import { afterEach, beforeAll, describe, it, expect } from 'vitest';
import { appendFileSync, mkdirSync, openSync, readFileSync, rmSync, utimesSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { createCipheriv, createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listGenerations, stageIn, stageOut } from '../../src/transfer/index.js';
import { CDC } from '../../src/transfer/chunker.js';
import { bundle, diffTrees, freshStaging as anyStaging, generationKeys, kind, listKeys, options, readObject, runNode, snapshot, workdir as anyWorkdir, writeObject, type Staging } from './helpers.js';

/**
 * Content-addressed generations (issue #17): only chunks the site does not
 * hold are sent, a killed upload's chunks are reused, pruning keeps every
 * chunk a kept generation lists, and restore checks every chunk.
 */
const MiB = 1 << 20;

// These tests write hundreds of MiB: each one's directories go as it ends,
// not all at the end of the file (which, on a loaded machine, outlasts a hook's time).
const mine: string[] = [];
const workdir = () => {
  const d = anyWorkdir();
  mine.push(path.dirname(d));
  return d;
};
const freshStaging = () => {
  const s = anyStaging();
  if (s.url.startsWith('file:')) mine.push(path.dirname(fileURLToPath(s.url)));
  return s;
};
afterEach(() => {
  for (const d of mine.splice(0)) rmSync(d, { recursive: true, force: true });
}, 120_000);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Incompressible but reproducible bytes: the chunk cuts, and so the figures, are the same every run. */
function seeded(size: number, seed: string): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

const out = (cwd: string, staging: Staging, checkpoints: string[], more = {}) => stageOut(options(cwd, staging, { checkpoints, ...more }));

async function restoredInto(staging: Staging) {
  const b = workdir();
  const r = await stageIn(options(b, staging));
  return { b, r };
}

/** Every kept generation verifies, and the chunk store holds exactly what their manifests list. */
async function allKeptVerify(staging: Staging): Promise<number[]> {
  await generationKeys(staging);
  const gens = await listGenerations({ staging: staging.url, site: staging.site, jobId: 'job-1', verify: true, retries: 0 });
  for (const g of gens) expect(g, `generation ${g.generation}: ${g.error}`).toMatchObject({ complete: true, verified: true });
  return gens.map((g) => g.generation);
}

describe(`content-addressed generations (${kind})`, () => {
  it('round trip of many files and of large files; the record shows what was new', async () => {
    const staging = freshStaging();
    const a = workdir();
    mkdirSync(path.join(a, 'ck/many'), { recursive: true });
    for (let i = 0; i < 1000; i++) writeFileSync(path.join(a, `ck/many/f${i}`), `file ${i}\n`.repeat(1 + (i % 50)));
    writeFileSync(path.join(a, 'ck/large.bin'), seeded(24 * MiB, 'large'));
    writeFileSync(path.join(a, 'ck/empty'), '');
    const want = snapshot(a);
    const r = await out(a, staging, ['ck']);
    expect(r.result).toBe('ok');
    expect(r.files).toHaveLength(1002);
    expect(r.dedup).toMatchObject({ chunks_reused: 0, dedup_ratio: 0 });
    expect(r.dedup!.bytes_new).toBe(r.dedup!.bytes_total);
    expect(r.dedup!.chunks).toBeGreaterThan(20);
    expect(await generationKeys(staging)).toEqual(['job-1/gen-000001.manifest.json']);
    const { b, r: back } = await restoredInto(staging);
    expect(back).toMatchObject({ result: 'ok', generation: 1 });
    expect(diffTrees(want, snapshot(b))).toEqual([]);

    // One large file on its own is chunked as is (no archive).
    const c = workdir();
    const big = seeded(40 * MiB, 'single');
    writeFileSync(path.join(c, 'state.bin'), big);
    const s2 = freshStaging();
    const r2 = await out(c, s2, ['state.bin']);
    expect(r2.dedup).toMatchObject({ bytes_total: big.length, bytes_new: big.length });
    const m = JSON.parse((await readObject(s2, 'job-1/gen-000001.manifest.json')).toString()) as { format: string; object: { format: string; chunks: [string, number][] } };
    expect(m.format).toBe('kickstart-checkpoint/2');
    expect(m.object.format).toBe('file');
    for (const [, n] of m.object.chunks.slice(0, -1)) expect(n >= CDC.min && n <= CDC.max).toBe(true);
    const d = workdir();
    expect((await stageIn(options(d, s2))).result).toBe('ok');
    expect(sha(readFileSync(path.join(d, 'state.bin')))).toBe(sha(big));
  });

  it('an unchanged re-ship sends 0 chunk bytes: untouched (not even read), touched (read, same bytes), or beside a new file', async () => {
    const staging = freshStaging();
    const a = workdir();
    mkdirSync(path.join(a, 'ck'));
    const data = seeded(16 * MiB, 'same');
    writeFileSync(path.join(a, 'ck/state.bin'), data);
    const first = await out(a, staging, ['ck']);
    const chunksThen = (await listKeys(staging, 'job-1/chunks/')).map((e) => e.key);
    // Same files: no new generation, nothing stored (unchanged is not a generation).
    let reads = 0;
    const again = await out(a, staging, ['ck'], { hooks: { afterRead: () => void reads++ } });
    expect(again).toMatchObject({ result: 'unchanged', generation: 1 });
    expect(reads).toBe(0);
    expect(again.reread ?? 0).toBe(0);
    // A new mtime: hashed to tell, still the same bytes.
    utimesSync(path.join(a, 'ck/state.bin'), 1_700_000_000, 1_700_000_000);
    expect((await out(a, staging, ['ck'])).result).toBe('unchanged');
    expect((await listKeys(staging, 'job-1/chunks/')).map((e) => e.key)).toEqual(chunksThen);
    // A small new file beside it: a new generation whose big file costs no chunk.
    writeFileSync(path.join(a, 'ck/note'), 'hello');
    const next = await out(a, staging, ['ck']);
    expect(next).toMatchObject({ result: 'ok', generation: 2 });
    expect(next.dedup!.bytes_new).toBeLessThanOrEqual(CDC.max);
    expect(next.dedup!.chunks_reused).toBeGreaterThanOrEqual(first.dedup!.chunks - 2);
    expect(await allKeptVerify(staging)).toEqual([2, 1]);
    const { b, r } = await restoredInto(staging);
    expect(r.generation).toBe(2);
    expect(sha(readFileSync(path.join(b, 'ck/state.bin')))).toBe(sha(data));
  });

  const big = process.env.KICKSTART_SLOW === '1' ? 1024 : 128;
  it(`a ${big} MiB file with 1 % changed in one contiguous region ships at most 5 % of its bytes`, async () => {
    const staging = freshStaging();
    const a = workdir();
    const f = path.join(a, 'model.bin');
    const size = big * MiB;
    // Written in pieces: a 1 GiB Buffer is more than the test needs to hold.
    const fd = openSync(f, 'w');
    for (let at = 0; at < size; at += 64 * MiB) writeSync(fd, seeded(Math.min(64 * MiB, size - at), `model-${at}`));
    closeSync(fd);
    expect((await out(a, staging, ['model.bin'])).result).toBe('ok');
    const region = Math.floor(size / 100);
    const w = openSync(f, 'r+');
    writeSync(w, seeded(region, 'changed'), 0, region, Math.floor(size * 0.37));
    closeSync(w);
    const r = await out(a, staging, ['model.bin']);
    expect(r.result).toBe('ok');
    expect(r.dedup!.bytes_new).toBeGreaterThanOrEqual(region);
    expect(r.dedup!.bytes_new).toBeLessThanOrEqual(size * 0.05);
    expect(await allKeptVerify(staging)).toEqual([2, 1]);
  }, 600_000);

  it('16 MiB appended to a file ships about 16 MiB plus one chunk', async () => {
    const staging = freshStaging();
    const a = workdir();
    const f = path.join(a, 'traj.dat');
    writeFileSync(f, seeded(64 * MiB, 'traj'));
    expect((await out(a, staging, ['traj.dat'])).result).toBe('ok');
    appendFileSync(f, seeded(16 * MiB, 'more'));
    const r = await out(a, staging, ['traj.dat']);
    expect(r.dedup!.bytes_total).toBe(80 * MiB);
    expect(r.dedup!.bytes_new).toBeGreaterThanOrEqual(16 * MiB);
    expect(r.dedup!.bytes_new).toBeLessThanOrEqual(16 * MiB + CDC.max);
    const { b } = await restoredInto(staging);
    expect(sha(readFileSync(path.join(b, 'traj.dat')))).toBe(sha(readFileSync(f)));
  });

  it('a directory of 1000 files with 10 changed reuses most of its archive chunks', async () => {
    const staging = freshStaging();
    const a = workdir();
    mkdirSync(path.join(a, 'ck'));
    for (let i = 0; i < 1000; i++) writeFileSync(path.join(a, `ck/f${String(i).padStart(4, '0')}`), seeded(64 << 10, `f${i}`));
    const first = await out(a, staging, ['ck']);
    for (let i = 0; i < 1000; i += 100) writeFileSync(path.join(a, `ck/f${String(i).padStart(4, '0')}`), seeded(64 << 10, `g${i}`));
    const want = snapshot(a);
    const r = await out(a, staging, ['ck']);
    expect(Math.abs(r.dedup!.chunks - first.dedup!.chunks)).toBeLessThanOrEqual(2);
    // Each changed member touches the chunk it lies in (two when it spans a cut).
    expect(r.dedup!.chunks_reused).toBeGreaterThanOrEqual(r.dedup!.chunks - 20);
    expect(r.dedup!.chunks_reused / r.dedup!.chunks).toBeGreaterThan(0.6);
    const { b } = await restoredInto(staging);
    expect(diffTrees(want, snapshot(b))).toEqual([]);
  });

  it('a damaged or missing chunk rolls stage-in back to the generation before; the object layout still restores', async () => {
    const staging = freshStaging();
    const a = workdir();
    writeFileSync(path.join(a, 'state.bin'), seeded(6 * MiB, 'one'));
    // Generation 1 in the layout of before chunks: still restored.
    expect((await out(a, staging, ['state.bin'], { layout: 'object', keep: 3 })).result).toBe('ok');
    writeFileSync(path.join(a, 'state.bin'), seeded(6 * MiB, 'two'));
    expect((await out(a, staging, ['state.bin'], { keep: 3 })).result).toBe('ok');
    writeFileSync(path.join(a, 'state.bin'), seeded(6 * MiB, 'three'));
    expect((await out(a, staging, ['state.bin'], { keep: 3 })).result).toBe('ok');
    const manifest = async (g: number) =>
      JSON.parse((await readObject(staging, `job-1/gen-00000${g}.manifest.json`)).toString()) as { object: { chunks: [string, number][] } };
    const [c3] = (await manifest(3)).object.chunks[1];
    const key3 = `job-1/chunks/${c3}`;
    const bytes = await readObject(staging, key3);
    bytes[1000] ^= 0xff;
    await writeObject(staging, key3, bytes);
    let back = await restoredInto(staging);
    expect(back.r).toMatchObject({ result: 'ok', generation: 2, rolled_back: [3] });
    expect(sha(readFileSync(path.join(back.b, 'state.bin')))).toBe(sha(seeded(6 * MiB, 'two')));
    const [c2] = (await manifest(2)).object.chunks[0];
    const site = (await listKeys(staging)).filter((e) => e.key === `job-1/chunks/${c2}`);
    const { openSite } = await import('../../src/staging/index.js');
    const s = await openSite(staging.url, staging.site);
    await s.remove(site);
    s.close();
    back = await restoredInto(staging);
    expect(back.r).toMatchObject({ result: 'ok', generation: 1, rolled_back: [3, 2] });
    expect(sha(readFileSync(path.join(back.b, 'state.bin')))).toBe(sha(seeded(6 * MiB, 'one')));
    const ls = await listGenerations({ staging: staging.url, site: staging.site, jobId: 'job-1', verify: true, retries: 0 });
    expect(ls.map((g) => [g.generation, g.verified])).toEqual([[3, false], [2, false], [1, true]]);
    expect(ls[0].error).toContain('fails its SHA-256 check');
    expect(ls[1].error).toContain('is missing');
  });

  it('pruning never breaks a kept generation: every kept one verifies after each prune', async () => {
    const staging = freshStaging();
    const a = workdir();
    mkdirSync(path.join(a, 'ck'));
    const parts = [0, 1, 2, 3].map((i) => seeded(3 * MiB, `p${i}`));
    for (let round = 1; round <= 7; round++) {
      // Each round replaces one part and keeps the others: kept generations share most chunks.
      parts[round % 4] = seeded(3 * MiB, `p${round % 4}-${round}`);
      parts.forEach((p, i) => writeFileSync(path.join(a, `ck/part${i}`), p));
      if (round === 4) rmSync(path.join(a, 'ck/part3'));
      const keep = round < 5 ? 2 : round === 5 ? 3 : 1;
      const r = await out(a, staging, ['ck'], { keep });
      expect(r.result).toBe('ok');
      if (round > 1 && round !== 4) expect(r.dedup!.chunks_reused).toBeGreaterThan(0);
      const kept = await allKeptVerify(staging);
      expect(kept).toEqual(Array.from({ length: Math.min(keep, round) }, (_, i) => round - i).filter((g) => g > 0));
    }
  });
});

let child = '';
beforeAll(async () => {
  child = await bundle('test/transfer/fixtures/stage-out-child.ts');
}, 120_000);

describe(`kill -9 in a chunked stage-out, then resume (${kind})`, () => {
  it('at random points: restore always gives a verified generation, and the next stage-out sends only what is missing', async () => {
    const staging = freshStaging();
    const a = workdir();
    const f = path.join(a, 'state.bin');
    writeFileSync(f, seeded(8 * MiB, 'base'));
    expect((await out(a, staging, ['state.bin'], { keep: 1 })).result).toBe('ok');
    const one = sha(readFileSync(f));
    writeFileSync(f, seeded(64 * MiB, 'next'));
    const two = sha(readFileSync(f));
    const o = { ...options(a, staging, { checkpoints: ['state.bin'], keep: 1 }), direction: 'out' };
    const chunksNow = async () => (await listKeys(staging, 'job-1/chunks/')).filter((e) => !e.partial).length;
    const base = await chunksNow();
    let stored = 0;
    let kills = 0;
    for (let round = 0; round < 3; round++) {
      // Kill once a random number of the new chunks is stored (more each round).
      const want = stored + 2 + Math.floor(Math.random() * 8);
      let polling = false;
      const ran = await runNode(child, [JSON.stringify(o)], {
        onLine: (line, kill) => {
          if (line !== 'phase:collected' || polling) return;
          polling = true;
          void (async () => {
            for (;;) {
              if ((await chunksNow()) >= base + want) return kill();
              await new Promise((r) => setTimeout(r, 5));
            }
          })();
        },
      });
      if (ran.signal !== 'SIGKILL') break; // finished before the kill: nothing left to resume
      kills++;
      const back = await restoredInto(staging);
      expect(back.r).toMatchObject({ result: 'ok', generation: 1 });
      expect(sha(readFileSync(path.join(back.b, 'state.bin')))).toBe(one);
      stored = (await chunksNow()) - base;
    }
    expect(kills).toBeGreaterThan(0);
    const r = await out(a, staging, ['state.bin'], { keep: 1 });
    expect(r.result).toBe('ok');
    // The chunks stored before the kills are not sent again.
    expect(r.dedup!.chunks_reused).toBeGreaterThanOrEqual(stored);
    expect(r.dedup!.bytes_new).toBeLessThan(64 * MiB);
    expect(await allKeptVerify(staging)).toEqual([r.generation]);
    const back = await restoredInto(staging);
    expect(sha(readFileSync(path.join(back.b, 'state.bin')))).toBe(two);
  });

  it('chunks no manifest lists (a killed upload\'s) are kept up to one checkpoint size before the next upload, and pruned after it', async () => {
    const staging = freshStaging();
    const a = workdir();
    writeFileSync(path.join(a, 'state.bin'), seeded(2 * MiB, 'one'));
    expect((await out(a, staging, ['state.bin'], { keep: 1 })).result).toBe('ok');
    const planted: string[] = [];
    for (let i = 0; i < 6; i++) {
      const c = seeded(MiB, `orphan-${i}`);
      planted.push(sha(c));
      await writeObject(staging, `job-1/chunks/${sha(c)}`, c);
    }
    writeFileSync(path.join(a, 'state.bin'), seeded(2 * MiB, 'two'));
    let left = -1;
    const r = await out(a, staging, ['state.bin'], {
      keep: 1,
      hooks: {
        phase: async (p: string) => {
          if (p === 'uploading') left = (await listKeys(staging, 'job-1/chunks/')).filter((e) => planted.some((h) => e.key.endsWith(h))).length;
        },
      },
    });
    expect(r.result).toBe('ok');
    expect(left).toBe(2);
    expect(await generationKeys(staging)).toEqual(['job-1/gen-000002.manifest.json']);
  });
});
