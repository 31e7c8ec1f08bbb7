/** What pidusage tells about one process, the part the CPU sum needs. */
export interface CpuReading {
  pid: number;
  /** utime + stime so far, ms. */
  ctime: number;
  /** ms since the process started. */
  elapsed: number;
}

/** Tolerance for /proc's 10 ms clocks when deciding that a process is new. */
const SLACK_MS = 50;

/**
 * CPU % of one core used by the tree between two samples `dtMs` apart:
 * the growth of each process's utime+stime. A process first seen now counts
 * in full when it started after the previous sample (pidusage's own figure
 * would count 0 for it); one that was there before but unseen counts from
 * now on. Processes that ended between samples are lost: the job's rusage in
 * the record has them. Pure: returns the cpu times to compare with next.
 */
export function treeCpu(
  previous: ReadonlyMap<number, number>,
  readings: readonly CpuReading[],
  dtMs: number,
): { cpu: number; next: Map<number, number> } {
  const next = new Map<number, number>();
  let used = 0;
  for (const r of readings) {
    const before = previous.get(r.pid);
    if (before !== undefined) used += Math.max(0, r.ctime - before);
    else if (r.elapsed <= dtMs + SLACK_MS) used += r.ctime;
    next.set(r.pid, r.ctime);
  }
  const cpu = dtMs > 0 ? (used / dtMs) * 100 : 0;
  return { cpu: Math.round(cpu * 10) / 10, next };
}
