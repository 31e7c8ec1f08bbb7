import { promises as fsp, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { randomBytes } from '../startup.js';
import { markerName, neverFinished, parseMarker, type MarkerStore, type StartMarker } from '../record/start-marker.js';

export { neverFinished, type MarkerStore, type StartMarker };

/**
 * Start markers (#18 item 7): each attempt leaves a small note that it
 * started, at the staging site when there is one (transfer/markers.ts), else
 * beside the -l record file. Its record being written removes it, so a
 * marker that is still there names an attempt that died without a record (a
 * kill -9 of the node, an OOM of kickstart itself): the next attempt's record
 * says so.
 */
export function newMarker(attempt: number, now = new Date()): StartMarker {
  return { attempt, started: now.toISOString(), host: hostname(), pid: process.pid, id: randomBytes(6).toString('hex') };
}

/** Markers of attempts that run right now in this process (batch tasks side by side). */
const running = new Set<string>();

export function markRunning(m: StartMarker, on: boolean): void {
  if (on) running.add(m.id);
  else running.delete(m.id);
}

/**
 * Whether a marker names an attempt that is over: not one of this process's,
 * and on this host not a live process (another kickstart may share the -l
 * file). A marker from another host counts as over: one job id has one
 * kickstart at a time.
 */
export function isLeftBehind(m: StartMarker, host = hostname()): boolean {
  if (running.has(m.id)) return false;
  if (m.host !== host) return true;
  if (m.pid === process.pid) return true;
  try {
    const stat = readFileSync(`/proc/${m.pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

/**
 * Markers beside the record file, `<record-file>.attempt-N-ID.json`; none
 * when the record goes to something other than a regular file (/dev/null, a
 * FIFO, /dev/stdout): no notes in /dev, and no directory listing per run.
 */
export function fileMarkers(recordFile: string): MarkerStore | undefined {
  let st;
  try {
    st = statSync(recordFile, { throwIfNoEntry: false });
  } catch {
    return undefined; // the record's own write reports what is wrong
  }
  if (st && !st.isFile()) return undefined;
  const dir = path.dirname(recordFile);
  const prefix = `${path.basename(recordFile)}.`;
  const file = (m: StartMarker) => path.join(dir, prefix + markerName(m));
  return {
    where: recordFile,
    async write(m) {
      // Temp name + rename: a reader never sees half a marker.
      const tmp = `${file(m)}.tmp`;
      await fsp.writeFile(tmp, JSON.stringify(m) + '\n', { mode: 0o644 });
      await fsp.rename(tmp, file(m));
    },
    async list() {
      const names = (await fsp.readdir(dir)).filter((n) => n.startsWith(`${prefix}attempt-`) && n.endsWith('.json'));
      const out: StartMarker[] = [];
      for (const n of names) {
        const m = parseMarker(await fsp.readFile(path.join(dir, n), 'utf8').catch(() => ''));
        if (m && prefix + markerName(m) === n) out.push(m);
      }
      return out;
    },
    async remove(m) {
      await fsp.rm(file(m), { force: true });
    },
  };
}

export interface AttemptMarkers {
  own?: StartMarker;
  /** Markers of attempts that died without a record: the record of this attempt reports them. */
  leftBehind: StartMarker[];
  store?: MarkerStore;
}

/**
 * The markers earlier attempts left, as listed (by the store, or by the
 * staging site's look-back): those of attempts that are over, oldest
 * first, each logged.
 */
export function leftBehind(listed: StartMarker[], where: string, warn: (msg: string, err?: unknown) => void): StartMarker[] {
  const over = listed.filter((m) => isLeftBehind(m)).sort((a, b) => a.started.localeCompare(b.started));
  for (const m of over) warn(`${neverFinished(m)} (start marker at ${where})`);
  return over;
}

/** Lists the store's markers; none (and a warning) when it cannot. Never throws. */
export async function listMarkers(store: MarkerStore, warn: (msg: string, err?: unknown) => void): Promise<StartMarker[]> {
  try {
    return await store.list();
  } catch (err) {
    warn(`cannot look for start markers at ${store.where}`, err);
    return [];
  }
}

/** Before an attempt's first step, once its number is known: writes its marker; `found` are leftBehind()'s. Never throws. */
export async function startMarkers(
  store: MarkerStore | undefined,
  attempt: number,
  found: StartMarker[],
  warn: (msg: string, err?: unknown) => void,
): Promise<AttemptMarkers> {
  if (!store) return { leftBehind: [] };
  const own = newMarker(attempt);
  markRunning(own, true);
  try {
    await store.write(own);
  } catch (err) {
    warn(`cannot leave a start marker at ${store.where}`, err);
  }
  return { own, leftBehind: found, store };
}

/** Once the attempt's record is written: its own marker and those it reported go. Never throws. */
export async function clearMarkers(marks: AttemptMarkers, warn: (msg: string, err?: unknown) => void): Promise<void> {
  if (!marks.store) return;
  for (const m of [...marks.leftBehind, ...(marks.own ? [marks.own] : [])]) {
    try {
      await marks.store.remove(m);
    } catch (err) {
      warn(`cannot remove the start marker of attempt ${m.attempt} at ${marks.store.where}`, err);
    }
  }
  if (marks.own) markRunning(marks.own, false);
}
