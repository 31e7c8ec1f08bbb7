import type { SiteEntry } from '../staging/site.js';

/**
 * Pure: how generations are laid out at the staging site, which one is the
 * newest complete one, and what pruning deletes.
 *
 *   <jobId>/gen-000042/<data object>          uploaded first
 *   <jobId>/gen-000042.manifest.json          written last: the generation is visible
 */

const GEN_DIR = /^gen-(\d{6,})$/;
const MANIFEST = /^gen-(\d{6,})\.manifest\.json$/;
const MANIFEST_LEFTOVER = /^gen-(\d{6,})\.manifest\.json\..+$/;

export function genName(n: number): string {
  return `gen-${String(n).padStart(6, '0')}`;
}

export function jobPrefix(jobId: string): string {
  return `${jobId}/`;
}

export function manifestKey(jobId: string, n: number): string {
  return `${jobId}/${genName(n)}.manifest.json`;
}

/** A data object's key; `name` is relative to the generation folder. */
export function dataKey(jobId: string, n: number, name: string): string {
  return `${jobId}/${genName(n)}/${name}`;
}

/** The name of a data key relative to its generation folder. */
export function dataName(jobId: string, n: number, key: string): string | undefined {
  const head = `${jobId}/${genName(n)}/`;
  return key.startsWith(head) ? key.slice(head.length) : undefined;
}

export interface GenerationState {
  generation: number;
  /** The manifest object, when the generation was published. */
  manifest?: SiteEntry;
  /** Complete data objects. */
  data: SiteEntry[];
  /** Temp files, open uploads, half-written manifests. */
  leftovers: SiteEntry[];
}

/** Groups a listing of `<jobId>/` by generation, oldest first; keys it does not know are ignored. */
export function scanGenerations(entries: SiteEntry[], jobId: string): GenerationState[] {
  const head = jobPrefix(jobId);
  const byGen = new Map<number, GenerationState>();
  const state = (n: number) => {
    let s = byGen.get(n);
    if (!s) byGen.set(n, (s = { generation: n, data: [], leftovers: [] }));
    return s;
  };
  for (const e of entries) {
    if (!e.key.startsWith(head)) continue;
    const rest = e.key.slice(head.length);
    const slash = rest.indexOf('/');
    if (slash > 0) {
      const m = GEN_DIR.exec(rest.slice(0, slash));
      if (!m) continue;
      const s = state(Number(m[1]));
      (e.partial ? s.leftovers : s.data).push(e);
      continue;
    }
    let m = MANIFEST.exec(rest);
    if (m && !e.partial) {
      state(Number(m[1])).manifest = e;
      continue;
    }
    m = MANIFEST_LEFTOVER.exec(rest) ?? MANIFEST.exec(rest);
    if (m) state(Number(m[1])).leftovers.push(e);
  }
  return [...byGen.values()].sort((a, b) => a.generation - b.generation);
}

/** One more than the highest generation seen, published or not. */
export function nextGeneration(states: GenerationState[]): number {
  return states.reduce((max, s) => Math.max(max, s.generation), 0) + 1;
}

/** Published generations, newest first: the order stage-in tries them in. */
export function completeNewestFirst(states: GenerationState[]): number[] {
  return states
    .filter((s) => s.manifest)
    .map((s) => s.generation)
    .sort((a, b) => b - a);
}

/**
 * Everything of generations that never got a manifest: what stage-outs that
 * were killed or failed left behind. A new stage-out of the same job removes
 * it before it uploads, because repeated kills would otherwise pile their
 * parts up until the site is full and no stage-out can publish again (a
 * job id has one kickstart at a time, and its own live uploads are settled
 * before the next one starts, so none of this is still in flight).
 */
export function unfinished(states: GenerationState[]): SiteEntry[] {
  return states.filter((s) => !s.manifest).flatMap((s) => [...s.data, ...s.leftovers]);
}

export interface PrunePlan {
  /** Deleted first, so that a generation disappears before its data does. */
  manifests: SiteEntry[];
  /** Deleted after the manifests. */
  data: SiteEntry[];
  /** Generations that go away entirely. */
  generations: number[];
}

/**
 * Keep the newest `keep` published generations, and `protect` (the newest
 * from a clean end, when a failed attempt shipped the newest); delete older published ones
 * (manifest first) and everything of generations older than the newest
 * published one that never got a manifest. Leftovers inside kept generations
 * go too. Generations newer than the newest published one are left alone:
 * they may be an upload in flight.
 */
export function planPrune(states: GenerationState[], keep: number, protect?: number): PrunePlan {
  const plan: PrunePlan = { manifests: [], data: [], generations: [] };
  const complete = completeNewestFirst(states);
  if (complete.length === 0) return plan;
  const newest = complete[0];
  const kept = new Set(complete.slice(0, Math.max(1, keep)));
  // The newest generation from a clean end outlives any number of failed attempts' ones.
  if (protect !== undefined && complete.includes(protect)) kept.add(protect);
  for (const s of states) {
    if (s.generation > newest) continue;
    if (kept.has(s.generation)) {
      plan.data.push(...s.leftovers);
      continue;
    }
    if (s.manifest) plan.manifests.push(s.manifest);
    plan.data.push(...s.data, ...s.leftovers);
    plan.generations.push(s.generation);
  }
  return plan;
}
