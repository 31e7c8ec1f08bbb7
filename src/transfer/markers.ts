import type { SiteEntry, StagingLocation, StagingSite } from '../staging/index.js';
import { markerName, parseMarker, type MarkerStore, type StartMarker } from '../record/start-marker.js';

/**
 * Start markers at the staging site, `<jobId>/attempts/attempt-N-ID.json`,
 * through the StagingSite operations every kind has (publish, list, get,
 * remove). Generation scans ignore the folder.
 */
export function siteMarkers(location: StagingLocation, jobId: string): MarkerStore {
  const folder = markerFolder(jobId);
  const key = (m: StartMarker) => folder + markerName(m);
  const withSite = async <T>(fn: (site: Awaited<ReturnType<StagingLocation['open']>>) => Promise<T>): Promise<T> => {
    const site = await location.open();
    try {
      return await fn(site);
    } finally {
      site.close();
    }
  };
  return {
    where: location.url,
    write: (m) => withSite((site) => site.publish(key(m), Buffer.from(JSON.stringify(m) + '\n'))),
    list: () => withSite(async (site) => readMarkers(site, await site.list(folder), jobId)),
    remove: (m) =>
      withSite(async (site) => {
        const entries = (await site.list(key(m))).filter((e) => e.key === key(m) || e.key.startsWith(`${key(m)}.`));
        if (entries.length) await site.remove(entries);
      }),
  };
}

function markerFolder(jobId: string): string {
  return `${jobId}/attempts/`;
}

/**
 * The markers among the entries of a listing (of the markers' folder, or of
 * the whole job folder: look-back.ts), each read and checked against its key.
 */
export async function readMarkers(site: StagingSite, entries: SiteEntry[], jobId: string): Promise<StartMarker[]> {
  const folder = markerFolder(jobId);
  const out: StartMarker[] = [];
  for (const e of entries) {
    if (e.partial || !e.key.startsWith(folder) || !e.key.endsWith('.json')) continue;
    const parts: Buffer[] = [];
    for await (const c of await site.get(e.key)) parts.push(Buffer.from(c as Uint8Array));
    const m = parseMarker(Buffer.concat(parts).toString('utf8'));
    if (m && folder + markerName(m) === e.key) out.push(m);
  }
  return out;
}
