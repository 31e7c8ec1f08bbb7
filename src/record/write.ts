/**
 * Delivering the record. Records are appended (O_APPEND, one write per
 * record where the kernel allows) so several jobs can share one file, and
 * fsync'd because the record is the job's only proof of what happened.
 * Failures come back as values: losing the record must not also lose the
 * job's exit status, which the caller still has to report.
 */
import { closeSync, constants, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

export type AppendResult = { ok: true; bytes: number } | { ok: false; code: string; error: Error };

export interface AppendOptions {
  /** Give up when a non-blocking stdout makes no progress for this long. */
  stallMs?: number;
}

const failure = (err: unknown): AppendResult => {
  const error = err instanceof Error ? err : new Error(String(err));
  return { ok: false, code: (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN', error };
};

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number): void => void Atomics.wait(sleeper, 0, 0, ms);

/**
 * Writes all of `buf`, retrying partial writes and EAGAIN (stdout may be a
 * non-blocking pipe shared with a parent). Throws on any other error.
 */
export function writeFully(fd: number, buf: Buffer, stallMs = 30_000): number {
  let off = 0;
  let stalledSince = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
      stalledSince = 0;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EINTR') continue;
      if (code !== 'EAGAIN') throw err;
      const now = Date.now();
      if (stalledSince === 0) stalledSince = now;
      else if (now - stalledSince > stallMs) throw err;
      sleep(1);
    }
  }
  return off;
}

/** Appends `text` to `path` (created 0644), or writes it to stdout when path is null. */
export function appendRecord(path: string | null, text: string, opts: AppendOptions = {}): AppendResult {
  const buf = Buffer.from(text, 'utf8');
  if (path === null) {
    try {
      return { ok: true, bytes: writeFully(1, buf, opts.stallMs) };
    } catch (err) {
      // EPIPE (reader gone, e.g. `| head`) lands here: reported, not thrown.
      return failure(err);
    }
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
  } catch (err) {
    return failure(err);
  }
  let result: AppendResult;
  try {
    const bytes = writeFully(fd, buf, opts.stallMs);
    try {
      fsyncSync(fd);
    } catch (err) {
      // Character devices and pipes given as a path (/dev/stdout) cannot fsync.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EROFS') throw err;
    }
    result = { ok: true, bytes };
  } catch (err) {
    result = failure(err);
  }
  try {
    closeSync(fd);
  } catch (err) {
    // NFS reports deferred write errors at close: the record may be lost.
    if (result.ok) result = failure(err);
  }
  return result;
}

/** `job.out` + attempt 1 → `job.out.000`: the name DAGMan gives a job's retries' outputs. */
export function attemptRecordPath(recordFile: string, attempt: number): string {
  return `${recordFile}.${String(Math.max(0, attempt - 1)).padStart(3, '0')}`;
}

/**
 * Writes `text` as the whole of `path`, atomically: a temp file beside it,
 * fsync'd, renamed over it. A reader sees the old file or the new one, never
 * half a record, and a rerun replaces an attempt's file of an earlier run.
 */
export function replaceRecord(path: string, text: string): AppendResult {
  const temp = `${path}.tmp-${process.pid}`;
  let fd: number;
  try {
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
  } catch (err) {
    return failure(err);
  }
  try {
    const bytes = writeFully(fd, Buffer.from(text, 'utf8'));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, path);
    return { ok: true, bytes };
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      /* closed already */
    }
    rmSync(temp, { force: true });
    return failure(err);
  }
}
