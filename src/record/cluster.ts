/**
 * pegasus-cluster's one-line records, which a batch writes after each task
 * and at its end, so Pegasus's tools read a batch as a clustered job:
 * kickstart_parser and pegasus-exitcode find "[cluster-task" and
 * "[cluster-summary" anywhere in a line, take key=value and key="value"
 * pairs separated by commas up to the first "]", and pegasus-exitcode fails
 * the job when stat is not "ok", failed > 0, or succeeded = 0 with tasks > 0.
 */
import { isoMillis } from './time.js';

export interface ClusterTask {
  /** 1-based number of the task among those started. */
  id: number;
  startMs: number;
  durationS: number;
  /** A wait status, as if the task were a kickstart process: exit code << 8. */
  status: number;
  /** Line number in the batch file. */
  line: number;
  pid: number;
  app: string;
}

export interface ClusterSummary {
  ok: boolean;
  lines: number;
  tasks: number;
  succeeded: number;
  failed: number;
  extra: number;
  durationS: number;
  startMs: number;
  pid: number;
  app: string;
}

/**
 * A quoted value may hold neither '"' (the parser's value ends there) nor
 * ']' (the record ends there) nor a newline (a record is one line).
 */
export function clusterQuote(s: string): string {
  return `"${s.replace(/["\]\n\r]/g, '?') || '?'}"`;
}

export function clusterTaskLine(t: ClusterTask): string {
  return (
    `[cluster-task id=${t.id}, start=${clusterQuote(isoMillis(t.startMs))}, duration=${t.durationS.toFixed(3)}, ` +
    `status=${t.status}, line=${t.line}, pid=${t.pid}, app=${clusterQuote(t.app)}]\n`
  );
}

export function clusterSummaryLine(s: ClusterSummary): string {
  return (
    `[cluster-summary stat=${clusterQuote(s.ok ? 'ok' : 'fail')}, lines=${s.lines}, tasks=${s.tasks}, ` +
    `succeeded=${s.succeeded}, failed=${s.failed}, extra=${s.extra}, duration=${s.durationS.toFixed(3)}, ` +
    `start=${clusterQuote(isoMillis(s.startMs))}, pid=${s.pid}, app=${clusterQuote(s.app)}]\n`
  );
}

/** The wait status pegasus-cluster would see from a kickstart that exited with `code`. */
export function exitStatus(code: number): number {
  return (code & 0xff) << 8;
}
