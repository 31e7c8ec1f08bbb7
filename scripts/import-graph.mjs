// Counts import back edges and cycles between src/ folders ("rooms"), and
// runtime cycles between files. Rooms are ranked the way data flows
// (options → plan → stage-in → run → stage-out → record): a room may import
// only rooms below it. `node scripts/import-graph.mjs` prints the edges that
// break that; test/import-graph.test.ts expects none.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');

/** Top to bottom: each room may import the rooms after it, never before. The native binding is below process/ and record/. */
export const RANK = ['index', 'binary', 'cli', 'supervise', 'show', 'transfer', 'staging', 'monitor', 'process', 'record', 'native', '.'];

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|cjs|mjs)$/.test(n) ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'"]*?from\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|require\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|import\(['"](\.{1,2}\/[^'"]+)['"]\)\.\w+/g;

export function room(file) {
  const rel = path.relative(src, file).split(path.sep);
  // src/index.ts is the library's entry (it may import anything); the other
  // top-level files (log, version, startup, exit codes) serve every room.
  if (rel.length === 1) return rel[0] === 'index.ts' ? 'index' : '.';
  return rel[0];
}

/** Every relative import in src/: { from, to, typeOnly, dynamic }. */
export function edges() {
  const out = [];
  for (const f of files(src)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[3] ?? m[4] ?? m[5] ?? m[6];
      const to = path.resolve(path.dirname(f), spec).replace(/\.js$/, '.ts');
      out.push({ from: f, to, typeOnly: Boolean(m[2]) || /import\(['"][^'"]+['"]\)\.\w+/.test(m[0]), dynamic: !m[3] });
    }
    // import('../x.js').Type in type positions
    for (const m of text.matchAll(/import\(['"](\.{1,2}\/[^'"]+)['"]\)\.[A-Z]\w*/g)) {
      out.push({ from: f, to: path.resolve(path.dirname(f), m[1]).replace(/\.js$/, '.ts'), typeOnly: true, dynamic: false });
    }
  }
  return out;
}

/** Imports from a room to a room above it (or a sibling file's room ranked higher). */
export function backEdges(list = edges()) {
  const rank = (r) => {
    const i = RANK.indexOf(r);
    return i < 0 ? RANK.length : i;
  };
  return list.filter((e) => rank(room(e.to)) < rank(room(e.from)));
}

/** File-level cycles (type-only edges included: a type circle is a circle too). */
export function cycles(list = edges()) {
  const graph = new Map();
  for (const e of list) {
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    graph.get(e.from).add(e.to);
  }
  const found = [];
  const state = new Map();
  const stack = [];
  const visit = (n) => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 1) found.push(stack.slice(stack.indexOf(m)).concat(m));
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const list = edges();
  const rel = (f) => path.relative(root, f);
  const back = backEdges(list);
  const circles = cycles(list);
  for (const e of back) console.log(`back edge: ${rel(e.from)} → ${rel(e.to)}${e.typeOnly ? ' (type)' : ''}`);
  for (const c of circles) console.log(`cycle: ${c.map(rel).join(' → ')}`);
  console.log(`${back.length} back edges, ${circles.length} cycles, ${list.length} imports`);
}
