/**
 * The record's transfer blocks: `kickstart.stage_in`, `stage_out`, and what
 * live shipping did (`live_uploads`, `live`). Part of the record's shape
 * (types.ts re-exports them).
 */

export interface TransferSummary {
  direction: 'in' | 'out';
  /** 'unchanged' (stage-out): the files are byte-identical to `generation`, the newest one; nothing was published. */
  result: 'ok' | 'none' | 'failed' | 'unchanged';
  url: string;
  generation?: number;
  files: { path: string; size: number; sha256: string }[];
  bytes: number;
  duration: number;
  attempts: number;
  /** Stage-in: generations passed over because they did not verify, newest first. */
  rolled_back?: number[];
  /**
   * Stage-in after a crash loop: generations passed over because attempts
   * restored from them kept failing (--poison-after), and why.
   */
  poisoned?: { passed_over: number[]; reason: string };
  /** Stage-out: declared checkpoint paths (or globs) that matched nothing. */
  missing?: string[];
  /** Stage-out: bytes read beyond those shipped (the unchanged check, re-reads of torn or rewritten files). */
  reread?: number;
  /** Stage-out of a chunked generation: how much of it the site held already. */
  dedup?: DedupSummary;
  error?: string;
  /** Seconds since the record's start when the transfer began (for `kickstart show`). */
  at?: number;
}

export interface DedupSummary {
  /** Bytes of the generation's data (the file, or the archive of all entries). */
  bytes_total: number;
  /** Chunk bytes sent: what the site did not hold. */
  bytes_new: number;
  chunks: number;
  /** Chunks the site held already (earlier generations, an interrupted upload). */
  chunks_reused: number;
  /** Share of bytes_total not sent, 0..1 (1: nothing new). */
  dedup_ratio: number;
}

/** One generation shipped while the job ran (--checkpoint-interval). */
export interface LiveUpload {
  generation?: number;
  /**
   * 'superseded': still in flight when the job ended, aborted for the final
   * stage-out; 'unchanged': byte-identical to the newest generation, nothing published.
   */
  result: 'ok' | 'none' | 'failed' | 'superseded' | 'unchanged';
  bytes: number;
  /** Seconds since the record's start when the upload began. */
  at: number;
  /** Seconds it took, until the generation was visible. */
  duration: number;
  error?: string;
  /** Bytes read beyond those shipped (see TransferSummary.reread). */
  reread?: number;
  /**
   * Chunked generations: bytes sent, what the site did not hold yet (the
   * generation's `bytes` count every file whole, appended outputs included).
   */
  bytes_new?: number;
}

/** Why an interval of live shipping went by without an upload. */
export type LiveSkip = 'settling' | 'in_flight' | 'request' | 'error' | 'nothing';

/** Live shipping over the whole main job: never silent about an interval it skipped. */
export interface LiveSummary {
  /** --checkpoint-interval, seconds. */
  interval: number;
  /** Intervals that ended while the job ran, and the one it ended in if an upload started there. */
  intervals: number;
  /** Generations published. */
  shipped: number;
  /** Uploads that found the files identical to the newest generation. */
  unchanged: number;
  failed: number;
  /**
   * Intervals with no upload, by reason: a changed file still settling, an
   * upload still in flight, the job not answering --checkpoint-signal yet, an
   * error, no checkpoint file at all. Intervals with nothing new are in none.
   */
  skipped?: Partial<Record<LiveSkip, number>>;
  /** When the job ended: the file live shipping was waiting for. */
  waiting_on?: string;
  /** Bytes read beyond those shipped, over all uploads. */
  reread?: number;
  /** Bytes sent over all uploads (chunked generations: what the site did not hold). */
  bytes_new?: number;
}
