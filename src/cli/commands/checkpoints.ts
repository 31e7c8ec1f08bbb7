import type { Command } from 'commander';
import { addFlags, readFlags } from '../add-flags.js';
import { UsageError, ExitError } from '../errors.js';
import { listGenerations, checkJobId, formatBytes, genName, registry, openHistoryStore, EXIT_LIST_FAILED, EXIT_USAGE, type GenerationInfo, type SiteOptions } from '../../transfer/index.js';
import { budgetSpent } from '../../supervise/cost-estimate.js';
import type { DeadlineHistory } from '../../transfer/deadline-history.js';

/** The values of `checkpoints ls`, as the flag table reads them (readFlags). */
interface LsFlags {
  site?: SiteOptions;
  staging?: string;
  jobId?: string;
  verify: boolean;
  json?: boolean;
}

/**
 * `kickstart checkpoints ls --staging URL --job-id ID`: the job's
 * generations, newest first, with files, size, age and whether they verify
 * (each is fetched and checked against its manifest; --no-verify skips that).
 */
export function registerCheckpointsCommand(program: Command): void {
  const cp = program.command('checkpoints').description('inspect checkpoint generations at a staging site');
  const ls = cp.command('ls').description('list the generations of a job: files, size, bytes new, chunks reused, dedup ratio, age, and whether they verify');
  addFlags(ls, 'checkpoints').action(async (values: Record<string, unknown>) => {
      const flags = readFlags<LsFlags>('checkpoints', values);
      const usage = (msg: string): never => {
        process.exitCode = EXIT_USAGE;
        throw new UsageError(`kickstart checkpoints ls: ${msg}`);
      };
      if (!flags.staging) usage(`--staging is required: ${registry.hint}`);
      const resolved = registry.resolve(flags.staging!, flags.site);
      if (!resolved.ok) return usage(resolved.message);
      if (!flags.jobId) usage('--job-id is required');
      const badId = checkJobId(flags.jobId!);
      if (badId) usage(badId);
      let gens: GenerationInfo[];
      try {
        gens = await listGenerations({ staging: resolved.location, jobId: flags.jobId!, verify: flags.verify });
      } catch (err) {
        process.stderr.write(`kickstart checkpoints ls: ${(err as Error).message}\n`);
        process.exitCode = EXIT_LIST_FAILED;
        throw new ExitError(EXIT_LIST_FAILED);
      }
      if (flags.json) {
        process.stdout.write(JSON.stringify(gens) + '\n');
        return;
      }
      if (gens.length === 0) process.stderr.write(`no generations of job ${flags.jobId} at ${flags.staging}\n`);
      process.stdout.write(formatTable(gens, flags.verify));
      const store = openHistoryStore({ staging: resolved.location, jobId: flags.jobId! });
      try {
        const line = budgetLine((await store.read()).history);
        if (line) process.stdout.write(line);
      } finally {
        store.close();
      }
    });
}

/** Pure: the `ls` table, one generation per line, then one note per problem. */
export function formatTable(gens: GenerationInfo[], verify: boolean): string {
  // NEW, REUSED and DEDUP: what the stage-out of a chunked generation sent ('-' for the one-object layout).
  const rows = [['GENERATION', 'FILES', 'SIZE', 'NEW', 'REUSED', 'DEDUP', 'AGE', 'VERIFIED']];
  const notes: string[] = [];
  for (const g of gens) {
    const verified = !g.complete ? 'incomplete' : !verify ? '-' : g.verified ? 'yes' : 'no';
    const d = g.dedup;
    rows.push([
      genName(g.generation),
      g.complete ? String(g.files) : '-',
      formatBytes(g.bytes),
      d ? formatBytes(d.bytes_new) : '-',
      d ? `${d.chunks_reused}/${d.chunks}` : '-',
      d ? `${(d.dedup_ratio * 100).toFixed(1)}%` : '-',
      g.age !== undefined ? formatAge(g.age) : '-',
      verified,
    ]);
    if (g.error && g.complete) notes.push(`${genName(g.generation)}: ${g.error}`);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((c, i) => (i >= 1 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd());
  return [...lines, ...notes].join('\n') + '\n';
}

/** Pure: what --total-walltime has spent and left, from the deadline history (none without a budget). */
export function budgetLine(h: DeadlineHistory): string | undefined {
  if (h.total_walltime === undefined) return undefined;
  const spent = budgetSpent(h.attempts);
  const left = Math.max(0, h.total_walltime - spent);
  const fmt = (s: number) => `${Math.round(s * 10) / 10}s`;
  return `total walltime ${fmt(h.total_walltime)}: spent ${fmt(spent)}, left ${fmt(left)} over ${h.attempts.length} attempt${h.attempts.length === 1 ? '' : 's'}\n`;
}

export function formatAge(s: number): string {
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}
