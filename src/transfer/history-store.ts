import { openSite, SiteError, oneLine, type StagingLocation, type StagingSite } from '../staging/index.js';
import { historyKey, parseHistory, serialize, emptyHistory, type DeadlineHistory } from './deadline-history.js';
import { withRetry } from './retry.js';

export interface HistoryStoreOptions {
  staging: StagingLocation;
  jobId: string;
}

export interface HistoryStore {
  /** The stored history, or an empty one (with why, when one was there but unusable or unreadable). */
  read(): Promise<{ history: DeadlineHistory; problem?: string }>;
  /** Publishes it atomically (like the manifests): readers see the old object or the new one. */
  write(h: DeadlineHistory): Promise<void>;
  close(): void;
}

const POLICY = { retries: 2, baseMs: 300, capMs: 2_000 };

/** The deadline history at a staging site, through the StagingSite interface, so every kind of site keeps one. */
export function openHistoryStore(o: HistoryStoreOptions): HistoryStore {
  const key = historyKey(o.jobId);
  let site: Promise<StagingSite> | undefined;
  const open = () => (site ??= openSite(o.staging));
  return {
    async read() {
      const got = await withRetry(async () => {
        const s = await open();
        try {
          const body = await s.get(key);
          const parts: Buffer[] = [];
          for await (const c of body) parts.push(c as Buffer);
          return Buffer.concat(parts).toString('utf8');
        } catch (e) {
          if (e instanceof SiteError && e.kind === 'missing') return undefined;
          throw e;
        }
      }, POLICY);
      if (got.tag === 'failed') return { history: emptyHistory(o.jobId), problem: `cannot read ${o.staging.url}/${key}: ${oneLine(got.error)}` };
      return got.value === undefined ? { history: emptyHistory(o.jobId) } : parseHistory(got.value, o.jobId);
    },
    async write(h) {
      const put = await withRetry(async () => (await open()).publish(key, serialize(h)), POLICY);
      if (put.tag === 'failed') throw new Error(`cannot write ${o.staging.url}/${key}: ${oneLine(put.error)}`);
    },
    close: () => void site?.then((s) => s.close(), () => {}),
  };
}
