import path from 'node:path';
import { expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script, no declarations
import { backEdges, cycles, edges } from '../scripts/import-graph.mjs';

type Edge = { from: string; to: string };
const root = path.resolve(import.meta.dirname, '..');
const rel = (e: Edge) => `${path.relative(root, e.from)} → ${path.relative(root, e.to)}`;

// Data flows one way (cli → supervise → transfer/staging → monitor/process → record → native): no room imports one above it.
it('src/ has no import back edge between rooms', () => {
  const list = edges() as Edge[];
  expect(list.length).toBeGreaterThan(100);
  expect((backEdges(list) as Edge[]).map(rel)).toEqual([]);
});

it('src/ has no import cycle between files (type-only imports included)', () => {
  expect((cycles() as string[][]).map((c) => c.map((f) => path.relative(root, f)).join(' → '))).toEqual([]);
});
