import type { DedupSummary, TransferSummary } from '../record/types.js';
import { SiteError, oneLine } from '../staging/index.js';
import type { RetryResult } from './retry.js';
import type { Manifest, ManifestEntry } from './manifest.js';

/** Builds the step's one result shape, whatever the outcome. */
export function summary(
  direction: 'in' | 'out',
  url: string,
  startedMs: number,
  fields: Partial<TransferSummary> & { result: TransferSummary['result'] },
  redact: (text: string) => string,
): TransferSummary {
  const s: TransferSummary = {
    direction,
    result: fields.result,
    url,
    ...(fields.generation !== undefined ? { generation: fields.generation } : {}),
    files: fields.files ?? [],
    bytes: fields.bytes ?? 0,
    duration: Math.round(performance.now() - startedMs) / 1000,
    attempts: fields.attempts ?? 0,
  };
  if (fields.rolled_back && fields.rolled_back.length > 0) s.rolled_back = fields.rolled_back;
  if (fields.missing && fields.missing.length > 0) s.missing = fields.missing;
  if (fields.poisoned) s.poisoned = fields.poisoned;
  if (fields.reread) s.reread = fields.reread;
  if (fields.dedup) s.dedup = fields.dedup;
  if (fields.error) s.error = redact(fields.error);
  return s;
}

/** Pure: the record's view of a chunked generation's upload. */
export function dedupSummary(m: Manifest): DedupSummary | undefined {
  if (!m.dedup || !m.object.chunks) return undefined;
  const total = m.object.size;
  return {
    bytes_total: total,
    bytes_new: m.dedup.bytes_new,
    chunks: m.object.chunks.length,
    chunks_reused: m.dedup.chunks_reused,
    dedup_ratio: total === 0 ? 1 : Math.round((1 - m.dedup.bytes_new / total) * 10_000) / 10_000,
  };
}

export function fileList(entries: ManifestEntry[]): TransferSummary['files'] {
  return entries.filter((e) => e.type === 'file').map((e) => ({ path: e.path, size: e.size, sha256: e.sha256 ?? '' }));
}

/** "stage-out to URL failed after 4 attempts: cause" — one line, credentials removed. */
export function failureLine(what: string, url: string, r: Extract<RetryResult<unknown>, { tag: 'failed' }>, redact: (text: string) => string): string {
  const err = r.error;
  const tries = err instanceof SiteError && err.kind === 'retryable' ? ` after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}` : '';
  return redact(`${what} ${url} failed${tries}: ${oneLine(err)}`);
}
