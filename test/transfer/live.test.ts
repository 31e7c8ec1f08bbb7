import { describe, expect, it } from 'vitest';
import { closeSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../src/log.js';
import { stageIn, stageOut, startLive } from '../../src/transfer/index.js';
import type { LiveOptions } from '../../src/transfer/index.js';
import type { LiveUpload } from '../../src/record/types.js';
import { freshStaging, generationKeys, kind, options, workdir, type Staging } from './helpers.js';

/**
 * Live shipping against a real staging site, with real files changing under
 * it: what is shipped is whole, the interval bounds how often, and numbering
 * stays in order with the final stage-out after it.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function live(cwd: string, staging: Staging, more: Partial<LiveOptions>) {
  const t0 = performance.now();
  return startLive({
    checkpoints: ['state'],
    cwd,
    intervalMs: 500,
    ship: (signal) => stageOut({ ...options(cwd, staging, { checkpoints: ['state'], keep: 50 }), signal }),
    clock: () => (performance.now() - t0) / 1000,
    logger: silentLogger,
    ...more,
  });
}

async function restored(staging: Staging): Promise<string> {
  const b = workdir();
  expect((await stageIn(options(b, staging))).result).toBe('ok');
  return readFileSync(path.join(b, 'state'), 'utf8');
}

describe(`live checkpoint shipping (${kind})`, () => {
  it('ships a file rewritten in place only once it has settled', async () => {
    const a = workdir();
    const staging = freshStaging();
    const size = 64 * 1024;
    writeFileSync(path.join(a, 'state'), 'A'.repeat(size));
    const seen: LiveUpload[] = [];
    const run = await live(a, staging, { intervalMs: 200, settleMs: 800, onUpload: (u) => seen.push(u) });
    await sleep(300);
    // In place, in 16 chunks 40 ms apart: never a rename, the inode stays.
    const fd = openSync(path.join(a, 'state'), 'r+');
    const chunk = size / 16;
    for (let i = 0; i < 16; i++) {
      writeSync(fd, 'B'.repeat(chunk), i * chunk);
      await sleep(40);
    }
    closeSync(fd);
    const written = performance.now();
    expect(await waitFor(seen, 1, 10_000)).toBe(1);
    // Nothing changes any more: nothing more is shipped.
    expect(await waitFor(seen, 2, 1200)).toBe(1);
    const list = (await run.stop()).uploads;
    expect(list.length).toBe(1);
    expect(list[0].result).toBe('ok');
    expect(list[0].generation).toBe(1);
    // Not before it stood still for the settle time (the clock starts just before the first chunk).
    expect(list[0].at * 1000).toBeGreaterThanOrEqual(300 + 16 * 40 + 800 - 50);
    expect(performance.now()).toBeGreaterThan(written);
    expect(await restored(staging)).toBe('B'.repeat(size));
  });

  it('ships at most once per interval however often the file is replaced, in order, before the final stage-out', async () => {
    const a = workdir();
    const staging = freshStaging();
    const run = await live(a, staging, { intervalMs: 500 });
    const started = performance.now();
    let n = 0;
    while (performance.now() - started < 2200) {
      n++;
      writeFileSync(path.join(a, 'state.tmp'), String(n));
      renameSync(path.join(a, 'state.tmp'), path.join(a, 'state'));
      await sleep(25);
    }
    const span = (performance.now() - started) / 1000;
    const report = await run.stop();
    const list = report.uploads;
    const ok = list.filter((u) => u.result === 'ok');
    expect(ok.length, JSON.stringify(list)).toBeGreaterThanOrEqual(2);
    // Each upload says what it sent (a new small file each time: all of it), and the summary their sum.
    for (const u of ok) expect(u.bytes_new, JSON.stringify(u)).toBe(u.bytes);
    expect(report.summary.bytes_new).toBe(ok.reduce((n, u) => n + u.bytes, 0));
    expect(list.length).toBeLessThanOrEqual(Math.ceil(span / 0.5) + 1);
    for (let i = 1; i < list.length; i++) expect(list[i].at - list[i - 1].at).toBeGreaterThanOrEqual(0.49);
    const gens = ok.map((u) => u.generation!);
    expect(gens).toEqual([...gens].sort((x, y) => x - y));
    expect(new Set(gens).size).toBe(gens.length);
    const last = await stageOut(options(a, staging, { checkpoints: ['state'], keep: 50 }));
    // The last write may have gone out live already: then nothing new is published.
    if (last.result === 'unchanged') expect(last.generation).toBe(Math.max(...gens));
    else expect(last.generation).toBeGreaterThan(Math.max(...gens));
    expect(await restored(staging)).toBe(String(n));
  });

  it('an upload still in flight when the job ends is aborted and superseded cleanly by the final stage-out', async () => {
    const a = workdir();
    const staging = freshStaging();
    let uploading = false;
    // A slow site: the upload stalls after its first bytes.
    const hooks = { phase: async (p: string) => { if (p === 'uploading') { uploading = true; await sleep(1500); } } };
    const run = await live(a, staging, {
      intervalMs: 100,
      stopGraceMs: 200,
      ship: (signal) => stageOut({ ...options(a, staging, { checkpoints: ['state'], hooks }), signal }),
    });
    writeFileSync(path.join(a, 'state.tmp'), 'one');
    renameSync(path.join(a, 'state.tmp'), path.join(a, 'state'));
    const until = performance.now() + 10_000;
    while (!uploading && performance.now() < until) await sleep(10);
    expect(uploading).toBe(true);
    const list = (await run.stop()).uploads;
    expect(list.map((u) => u.result)).toEqual(['superseded']);
    expect(list[0].error).toBeUndefined();
    writeFileSync(path.join(a, 'state.tmp'), 'two');
    renameSync(path.join(a, 'state.tmp'), path.join(a, 'state'));
    const last = await stageOut(options(a, staging, { checkpoints: ['state'] }));
    expect(last.result).toBe('ok');
    // Nothing of the aborted upload is left: only the final generation. (Its
    // number is 2 when the aborted try left a leftover that numbering skips,
    // as a file:// temp file does, and 1 when the abort stopped the request
    // before anything was stored, as on S3.)
    const gen = `job-1/gen-${String(last.generation).padStart(6, '0')}`;
    // Chunks of the aborted upload are gone too: generationKeys checks no unlisted chunk is left.
    expect(await generationKeys(staging)).toEqual([`${gen}.manifest.json`]);
    expect(await restored(staging)).toBe('two');
  });
});

/** Resolves when `count` uploads ended, or after `ms`, with how many did. */
async function waitFor(seen: LiveUpload[], count: number, ms: number): Promise<number> {
  const until = performance.now() + ms;
  while (seen.length < count && performance.now() < until) await sleep(20);
  return seen.length;
}
