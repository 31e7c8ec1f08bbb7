/**
 * The start marker's format (#18 item 7), shared by the stores at the
 * staging site (transfer/markers.ts) and beside the record file
 * (supervise/markers.ts): pure.
 */
export interface StartMarker {
  attempt: number;
  /** ISO time. */
  started: string;
  host: string;
  pid: number;
  /** Tells markers of the same attempt number apart (batch tasks, requeues). */
  id: string;
}

/** Where markers live; every operation is best effort and may throw. */
export interface MarkerStore {
  /** For messages: the staging URL or the record file. */
  readonly where: string;
  write(m: StartMarker): Promise<void>;
  list(): Promise<StartMarker[]>;
  remove(m: StartMarker): Promise<void>;
}

export function markerName(m: Pick<StartMarker, 'attempt' | 'id'>): string {
  return `attempt-${m.attempt}-${m.id}.json`;
}

/** Parses a marker's JSON; undefined for anything else (never throws). */
export function parseMarker(text: string): StartMarker | undefined {
  try {
    const o = JSON.parse(text) as Partial<StartMarker>;
    if (typeof o.attempt !== 'number' || typeof o.started !== 'string' || typeof o.host !== 'string' || typeof o.pid !== 'number' || typeof o.id !== 'string') return undefined;
    if (!/^[0-9a-f]{1,32}$/.test(o.id)) return undefined;
    return { attempt: o.attempt, started: o.started, host: o.host, pid: o.pid, id: o.id };
  } catch {
    return undefined;
  }
}

export function neverFinished(m: StartMarker): string {
  return `attempt ${m.attempt} started at ${m.started} on ${m.host} and never finished`;
}

