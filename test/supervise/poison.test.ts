import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, PYTHON, ks } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';

const t = tempDir('ks-poison-');
afterAll(t.cleanup);
const CRASH = join(FIXTURES, 'crash-loop.py');

/** A staging site holding one good generation of crash-loop.py's checkpoint (step 2), shipped from a clean end. */
async function goodGeneration(dir: string): Promise<string> {
  const seed = join(dir, 'seed');
  mkdirSync(seed, { recursive: true });
  writeFileSync(join(seed, 'state.ckpt'), JSON.stringify({ step: 2 }));
  const staging = `file://${join(dir, 'staging')}`;
  const r = await ks(['transfer', '--out', '--checkpoint', 'state.ckpt', '--staging', staging, '--job-id', 'loop', '--workdir', seed, '--no-progress']);
  expect(r.exitCode, r.stderr).toBe(0);
  return staging;
}

function crashLoop(dir: string, staging: string, extra: string[]) {
  const rec = join(dir, 'records.yml');
  return ks(
    ['-W', join(dir, 'work'), '-l', rec, '--checkpoint', 'state.ckpt', '--staging', staging, '--job-id', 'loop', '--retries', '3', '--retry-delay', '0.05s', ...extra, '--', PYTHON, CRASH],
    // A fresh node each attempt: only the staging site carries the checkpoint.
    { recordFile: rec, env: { KICKSTART_CLEANUP: 'rm -f state.ckpt' }, timeout: 60_000 },
  );
}

const gens = (dir: string) => readdirSync(join(dir, 'staging', 'loop')).filter((f) => f.endsWith('.manifest.json')).sort();

describe('poisoned checkpoints (#18 item 4)', () => {
  it('a crash loop that corrupts its checkpoint and exits 1 three times: the good generation is restored, and the record says why', async () => {
    const dir = join(t.dir, 'loop');
    const staging = await goodGeneration(dir);
    const r = await crashLoop(dir, staging, []);
    expect(r.exitCode, r.stderr).toBe(0);
    const ks4 = r.records.map((x: any) => x.kickstart);
    expect(ks4.map((k: any) => k.outcome)).toEqual(['failed', 'failed', 'failed', 'completed']);
    // The seed generation's manifest says attempt 1: this kickstart's attempts are 2 to 5.
    expect(ks4.map((k: any) => [k.attempt, k.attempt_from])).toEqual([[2, 'manifest'], [3, 'retry'], [4, 'retry'], [5, 'retry']]);
    // Attempt 2 restored the good generation and shipped garbage; 3 and 4 restored the garbage
    // (a copy of it each, or the same one where an unchanged checkpoint is not shipped again).
    const restored = ks4.map((k: any) => k.stage_in.generation);
    expect(restored[0]).toBe(1);
    expect(restored[1]).toBeGreaterThan(1);
    expect(restored[2]).toBeGreaterThan(1);
    expect(r.records[1].files.stderr.data).toContain('corrupt checkpoint');
    expect(r.records[2].files.stderr.data).toContain('corrupt checkpoint');
    // The fourth stage-in passed over the poisoned generations and says why.
    expect(restored[3]).toBe(1);
    const poisoned = ks4[3].stage_in.poisoned;
    // (Generation 2 may be pruned by then: --keep 2 holds the newest two and the clean one.)
    expect(poisoned.passed_over).toContain(restored[2]);
    expect(poisoned.passed_over.every((g: number) => g > 1)).toBe(true);
    expect(poisoned.reason).toMatch(/^attempts 3 and 4 restored generations? [\d and]+(\(the same content\) )?and failed without shipping a newer good generation \(--poison-after 2\)$/);
    expect(ks4.slice(0, 3).every((k: any) => k.stage_in.poisoned === undefined)).toBe(true);
    expect(r.stderr).toMatch(/stage-in: attempts 3 and 4 restored .*; passing over gen-/);
    expect(r.records[3].files.stdout.data).toContain('attempt 5: resuming at 2');
    expect(r.records[3].files.stdout.data).toContain('attempt 5: done at 5');
    // Generations carry how they ended: the failed attempts' are not clean, the completed one is.
    const manifest = (f: string) => JSON.parse(readFileSync(join(dir, 'staging', 'loop', f), 'utf8'));
    const left = gens(dir).map(manifest);
    expect(left.at(-1).clean).toBe(true);
    expect(left.at(-1).generation).toBe(ks4[3].stage_out.generation);
    expect(left.slice(0, -1).every((m: any) => m.clean === false)).toBe(true);
  });

  it('while attempts fail, --keep 2 keeps the newest clean generation as a third', async () => {
    const dir = join(t.dir, 'keep');
    const staging = await goodGeneration(dir);
    // Three broken attempts, each leaving different junk: three new generations from failed attempts.
    const rec = join(dir, 'records.yml');
    const r = await ks(
      ['-W', join(dir, 'work'), '-l', rec, '--checkpoint', 'state.ckpt', '--staging', staging, '--job-id', 'loop', '--retries', '2', '--retry-delay', '0.05s', '--', 'sh', '-c', 'echo "junk $KICKSTART_ATTEMPT" > state.ckpt; exit 1'],
      { recordFile: rec, env: { KICKSTART_CLEANUP: 'rm -f state.ckpt' } },
    );
    expect(r.exitCode).toBe(1);
    expect(r.records.map((x: any) => x.kickstart.stage_in.generation)).toEqual([1, 2, 3]);
    expect(gens(dir)).toEqual(['gen-000001.manifest.json', 'gen-000003.manifest.json', 'gen-000004.manifest.json']);
    expect(r.stderr).toContain('and gen-000001, the newest from a clean end');
  });

  it('--poison-after 0 never rolls back: the garbage is restored again and the loop runs out of retries', async () => {
    const dir = join(t.dir, 'never');
    const staging = await goodGeneration(dir);
    const r = await crashLoop(dir, staging, ['--poison-after', '0']);
    expect(r.exitCode).toBe(1);
    const ks4 = r.records.map((x: any) => x.kickstart);
    const restored = ks4.map((k: any) => k.stage_in.generation);
    expect(restored[0]).toBe(1);
    expect(restored.slice(1).every((g: number) => g > 1)).toBe(true);
    expect(r.records[3].files.stderr.data).toContain('corrupt checkpoint');
    expect(ks4.every((k: any) => k.stage_in.poisoned === undefined)).toBe(true);
  });
});
