import type { StagingLocation } from '../staging/index.js';
import { markerName, parseMarker, type MarkerStore, type StartMarker } from '../record/start-marker.js';

/**
 * Start markers at the staging site, `<jobId>/attempts/attempt-N-ID.json`,
 * through the StagingSite operations every kind has (publish, list, get,
 * remove). Generation scans ignore the folder.
 */
export function siteMarkers(location: StagingLocation, jobId: string): MarkerStore {
  const folder = `${jobId}/attempts/`;
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
    list: () =>
      withSite(async (site) => {
        const out: StartMarker[] = [];
        for (const e of await site.list(folder)) {
          if (e.partial || !e.key.endsWith('.json')) continue;
          const parts: Buffer[] = [];
          for await (const c of await site.get(e.key)) parts.push(Buffer.from(c as Uint8Array));
          const m = parseMarker(Buffer.concat(parts).toString('utf8'));
          if (m && key(m) === e.key) out.push(m);
        }
        return out;
      }),
    remove: (m) =>
      withSite(async (site) => {
        const entries = (await site.list(key(m))).filter((e) => e.key === key(m) || e.key.startsWith(`${key(m)}.`));
        if (entries.length) await site.remove(entries);
      }),
  };
}
