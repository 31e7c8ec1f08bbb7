import type { StartMarker } from '../record/start-marker.js';
import type { LookBack } from '../transfer/look-back.js';
import { leftBehind, listMarkers } from './markers.js';
import type { Plan } from './plan.js';

/** What earlier attempts of this job left, found at an attempt's start. */
export interface EarlierAttempts {
  /** Start markers of attempts that never finished: the record reports them, and they number a fresh kickstart. */
  leftBehind: StartMarker[];
  /** `attempt` of the newest manifest at the staging site. */
  manifestAttempt?: number;
  /** The staging site's listing and newest manifest, for stage-in to take over. */
  ahead?: LookBack;
}

/**
 * Effects: reads what earlier attempts left, before this attempt's own
 * start marker is written, whose name carries the attempt's number.
 *
 * With a staging site, the markers and the newest manifest come from one
 * listing of the job's folder (transfer/look-back.ts), and stage-in takes
 * that listing and manifest over: the manifest is read before the marker
 * is written, so the number is settled before anything carries it, at no
 * round trip an attempt did not make before. The look stays inside the
 * attempt, after its deadlines are armed, as the marker listing it
 * replaces was. Without one, the markers beside the -l file are listed.
 */
export async function earlierAttempts(plan: Plan, warn: (msg: string, err?: unknown) => void): Promise<EarlierAttempts> {
  const store = plan.markers;
  if (!store) return { leftBehind: [] };
  const look = plan.transfer?.lookBack;
  if (!look) return { leftBehind: leftBehind(await listMarkers(store, warn), store.where, warn) };
  let ahead: LookBack;
  try {
    ahead = await look();
  } catch (err) {
    // Stage-in lists the site on its own then, with its retries.
    warn(`cannot look for start markers at ${store.where}`, err);
    return { leftBehind: [] };
  }
  // A newest manifest that cannot be read (ahead.problem) is stage-in's to report: it reads it again and rolls back past it.
  return { leftBehind: leftBehind(ahead.markers, store.where, warn), manifestAttempt: ahead.newest?.manifest.attempt, ahead };
}
