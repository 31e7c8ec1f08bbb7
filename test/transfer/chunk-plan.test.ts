import { describe, it, expect } from 'vitest';
import { planChunkPrune, scanChunks } from '../../src/transfer/chunk-store.js';
import { parseManifest } from '../../src/transfer/manifest.js';
import type { SiteEntry } from '../../src/staging/site.js';

const h = (c: string) => c.repeat(64);
const entry = (key: string, size: number, mtimeMs: number, partial = false): SiteEntry => ({ key, size, mtimeMs, ...(partial ? { partial } : {}) });

describe('chunk store plans (pure)', () => {
  const listing = [
    entry(`j/chunks/${h('a')}`, 10, 1),
    entry(`j/chunks/${h('b')}`, 20, 2),
    entry(`j/chunks/${h('c')}`, 30, 3),
    entry(`j/chunks/${h('d')}`, 40, 4),
    entry(`j/chunks/${h('e')}.tmp-abc`, 5, 5, true),
    entry('j/chunks/not-a-hash', 1, 6),
    entry('j/gen-000001.manifest.json', 1, 1),
    entry(`k/chunks/${h('f')}`, 1, 1),
  ];

  it('scanChunks finds the job\'s chunks; temp files and strangers below chunks/ are leftovers', () => {
    const s = scanChunks(listing, 'j');
    expect([...s.stored.keys()]).toEqual([h('a'), h('b'), h('c'), h('d')]);
    expect(s.leftovers.map((e) => e.key)).toEqual([`j/chunks/${h('e')}.tmp-abc`, 'j/chunks/not-a-hash']);
  });

  it('pruning drops leftovers and every chunk no kept manifest lists, never a listed one', () => {
    const drop = planChunkPrune(scanChunks(listing, 'j'), new Set([h('a'), h('c')])).map((e) => e.key);
    expect(drop).toEqual([`j/chunks/${h('e')}.tmp-abc`, 'j/chunks/not-a-hash', `j/chunks/${h('d')}`, `j/chunks/${h('b')}`]);
  });

  it('before an upload, the newest orphans are kept up to the budget (kills in a row cannot fill the site)', () => {
    const scan = scanChunks(listing, 'j');
    const keep = (budget: number) =>
      [...scan.stored.keys()].filter((k) => !planChunkPrune(scan, new Set([h('a')]), budget).some((e) => e.key.endsWith(k)));
    expect(keep(0)).toEqual([h('a')]);
    expect(keep(45)).toEqual([h('a'), h('d')]);
    expect(keep(70)).toEqual([h('a'), h('c'), h('d')]);
    expect(keep(1000)).toEqual([h('a'), h('b'), h('c'), h('d')]);
  });

  it('a chunked manifest is checked: chunk list shape, sizes adding up, no object key needed', () => {
    const base = {
      format: 'kickstart-checkpoint/2',
      job_id: 'j',
      generation: 1,
      attempt: 1,
      host: 'h',
      time: '2026-01-01T00:00:00Z',
      bytes: 30,
      entries: [{ path: 'f', type: 'file', size: 30, mode: 0o644, mtime: 1, sha256: h('0'), id: '1:2:30:4:5' }],
      dedup: { bytes_new: 10, chunks_new: 1, chunks_reused: 1 },
    };
    const ok = parseManifest(JSON.stringify({ ...base, object: { format: 'file', size: 30, chunks: [[h('a'), 10], [h('b'), 20]] } }));
    expect(ok.ok && ok.manifest.object.chunks).toEqual([[h('a'), 10], [h('b'), 20]]);
    expect(ok.ok && ok.manifest.entries[0].id).toBe('1:2:30:4:5');
    const bad = (object: unknown) => {
      const r = parseManifest(JSON.stringify({ ...base, object }));
      return r.ok ? 'ok' : r.message;
    };
    expect(bad({ format: 'file', size: 30, chunks: [[h('a'), 10]] })).toBe('malformed manifest: object.chunks add up to 10 bytes, object.size is 30');
    expect(bad({ format: 'file', size: 30, chunks: [['xyz', 30]] })).toBe('malformed manifest: object.chunks[0] is not [sha256, size]');
    expect(bad({ format: 'file', size: 30, chunks: [[h('a'), 0], [h('b'), 30]] })).toContain('object.chunks[0] size is not a whole number >= 1');
    expect(bad({ format: 'file', size: 30 })).toBe('malformed manifest: object.chunks is not a list');
  });
});
