import type { StartMarker } from '../record/start-marker.js';
import { oneLine, type SiteEntry, type StagingLocation } from '../staging/index.js';
import { completeNewestFirst, jobPrefix, scanGenerations } from './generations.js';
import type { Manifest } from './manifest.js';
import { readMarkers } from './markers.js';
import { readManifest } from './read-manifest.js';

/**
 * What earlier attempts of a job left at the staging site, read at an
 * attempt's start in one listing of the job's folder: the start markers of
 * attempts that never finished, and the newest published manifest (whose
 * `attempt` numbers a fresh kickstart: supervise/attempt-number.ts).
 * Stage-in takes the listing and that manifest over (TransferOptions.ahead)
 * instead of reading them again, so the look costs no round trip an attempt
 * did not make before: it replaces the listing of the markers' folder.
 */
export interface LookBack {
  /** Every entry below `<jobId>/`, as stage-in lists them. */
  entries: SiteEntry[];
  markers: StartMarker[];
  /** The newest published generation and its manifest, parsed and checked. */
  newest?: { generation: number; manifest: Manifest };
  /** Why the newest manifest could not be read; stage-in reads it again and rolls back past it if it must. */
  problem?: string;
}

/**
 * One try, as the marker listing it replaces: a site that cannot be listed
 * throws, and stage-in then lists on its own, with its retries.
 */
export async function lookBack(location: StagingLocation, jobId: string, signal?: AbortSignal): Promise<LookBack> {
  const site = await location.open();
  try {
    const entries = await site.list(jobPrefix(jobId), { signal });
    const markers = await readMarkers(site, entries, jobId);
    const generation = completeNewestFirst(scanGenerations(entries, jobId))[0];
    if (generation === undefined) return { entries, markers };
    try {
      return { entries, markers, newest: { generation, manifest: await readManifest(site, jobId, generation, signal) } };
    } catch (err) {
      return { entries, markers, problem: oneLine(err) };
    }
  } finally {
    site.close();
  }
}
