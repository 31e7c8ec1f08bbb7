/**
 * Where a job's end time comes from. Each batch system is one small module
 * with a pure parser (tested on outputs from the engine's documentation) and
 * a look-up that runs its command through `SourceContext.run`.
 */
export interface EndLookup {
  /** Which source answered, e.g. 'slurm-squeue'. */
  source: string;
  /** The end as Unix time in ms; null: the batch system sets no limit for this job. */
  end: number | null;
}

export interface SourceContext {
  env: Record<string, string>;
  /** Unix time in ms, for sources that report the time left rather than the end. */
  now: () => number;
  /** Runs a command with a timeout; stdout, or undefined when it failed, timed out or is missing. */
  run: (file: string, args: string[], env?: Record<string, string>) => Promise<string | undefined>;
  readFile: (path: string) => Promise<string | undefined>;
}

export interface DeadlineSource {
  name: string;
  /** Whether this job runs under this batch system at all (from its environment alone). */
  applies(env: Record<string, string>): boolean;
  /** undefined: this source could not tell (the command failed, the output is not understood). */
  lookup(ctx: SourceContext, refresh: boolean): Promise<EndLookup | undefined>;
}

/** `[[D-]HH:]MM:SS` (Slurm, PBS, LSF -hms) or `H:MM` (LSF) into ms; undefined when not a time. */
export function clockMs(text: string, twoFields: 'mm:ss' | 'hh:mm' = 'mm:ss'): number | undefined {
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const days = Number(m[1] ?? 0);
  const parts = [m[2], m[3], m[4]].filter((p) => p !== undefined).map(Number);
  let s: number;
  if (parts.length === 3) s = parts[0] * 3600 + parts[1] * 60 + parts[2];
  else if (parts.length === 2) s = twoFields === 'hh:mm' ? parts[0] * 3600 + parts[1] * 60 : parts[0] * 60 + parts[1];
  else s = m[1] !== undefined ? parts[0] * 3600 : parts[0] * 60; // Slurm: "D-HH" and bare minutes
  return (days * 86_400 + s) * 1000;
}
