// The part of pidusage 4 kickstart uses (the package ships no types).
declare module 'pidusage' {
  export interface PidStatus {
    /** CPU % since the previous call for this pid. */
    cpu: number;
    /** Resident set size, bytes. */
    memory: number;
    pid: number;
    ppid: number;
    /** utime + stime so far, ms. */
    ctime: number;
    /** ms since the process started. */
    elapsed: number;
    timestamp: number;
  }
  function pidusage(pids: number[], options?: { maxage?: number }): Promise<Record<string, PidStatus | undefined>>;
  function pidusage(pid: number, options?: { maxage?: number }): Promise<PidStatus>;
  export default pidusage;
}
