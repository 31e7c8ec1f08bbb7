import { EXIT } from '../exit-codes.js';
import { silentLogger, type Logger } from '../log.js';
import { native } from '../native/addon.js';
import { Reaper } from '../process/reaper.js';
import { supervise, type SuperviseOptions } from './index.js';

/** One line of a batch: a task to run, a line with nothing to run, or a line that cannot run. */
export type BatchLine =
  | { line: number; kind: 'task'; options: SuperviseOptions; app: string }
  | { line: number; kind: 'bad'; problem: string; app: string }
  | { line: number; kind: 'blank' };

/** How one task ended: what pegasus-cluster's task line says about it. */
export interface TaskEnd {
  id: number;
  line: number;
  app: string;
  startMs: number;
  durationS: number;
  /** kickstart's exit code for the task (127 for a bad line). */
  exitCode: number;
  /** The main job's pid, 0 when none started. */
  pid: number;
  ok: boolean;
  /** Why the line could not run (a bad line, or options the supervisor refused). */
  problem?: string;
}

export interface BatchOptions {
  /** Tasks running at once. */
  jobs: number;
  /** Stop starting tasks after the first failure (pegasus-cluster -f). */
  failHard: boolean;
  /** Exit codes that count as success besides 0 (pegasus-cluster -S). */
  successCodes?: ReadonlySet<number>;
  /** Become a child subreaper and reap every child (the CLI). */
  subreaper?: boolean;
  /** Asked before each line: true stops reading (a signal arrived). */
  stopped?: () => boolean;
  onTaskEnd: (t: TaskEnd) => void;
  logger?: Logger;
}

export interface BatchResult {
  lines: number;
  tasks: number;
  succeeded: number;
  failed: number;
  startMs: number;
  durationS: number;
}

/**
 * Runs the lines of a batch, `jobs` at a time, each task through the same
 * supervisor as a single run. Lines are read only as slots free up, so a
 * batch of millions streams. One reaper serves every task: two wait4(-1)
 * loops would steal each other's children.
 */
export async function runBatch(lines: AsyncIterable<BatchLine>, o: BatchOptions): Promise<BatchResult> {
  const logger = o.logger ?? silentLogger;
  const startMs = Date.now();
  const t0 = process.hrtime.bigint();
  let subreaper = o.subreaper ?? false;
  if (subreaper) {
    const err = native().setSubreaper();
    if (err !== 0) {
      logger.warn({ errno: err }, 'cannot become a child subreaper: descendants that leave a task may outlive it');
      subreaper = false;
    }
  }
  const reaper = new Reaper(subreaper ? 'all' : 'own');
  // As the subreaper, a task counts every process below kickstart as its
  // own; with tasks side by side that would take the others' for its
  // leftovers, so each then finds its tree by its environment marker.
  const wholeTree = subreaper && o.jobs === 1;
  const r: BatchResult = { lines: 0, tasks: 0, succeeded: 0, failed: 0, startMs, durationS: 0 };
  const running = new Set<Promise<void>>();
  let failedHard = false;
  const end = (t: TaskEnd): void => {
    if (t.ok) r.succeeded++;
    else {
      r.failed++;
      if (o.failHard) failedHard = true;
    }
    o.onTaskEnd(t);
  };
  for await (const l of lines) {
    r.lines = l.line;
    if (l.kind === 'blank') continue;
    const id = ++r.tasks;
    if (l.kind === 'bad') {
      end({ id, line: l.line, app: l.app, startMs: Date.now(), durationS: 0, exitCode: EXIT.usage, pid: 0, ok: false, problem: l.problem });
    } else {
      const p = runTask(id, l, reaper, wholeTree, logger, o.successCodes).then(end);
      const tracked = p.finally(() => running.delete(tracked));
      running.add(tracked);
      if (running.size >= o.jobs) await Promise.race(running);
    }
    if (failedHard || o.stopped?.()) break;
  }
  await Promise.all(running);
  await reaper.drain(2_000);
  r.durationS = Number(process.hrtime.bigint() - t0) / 1e9;
  return r;
}

/** Tasks ending within this long of each other share one process census in their machine blocks. */
const CENSUS_MAX_AGE = 1_000;

async function runTask(
  id: number,
  l: Extract<BatchLine, { kind: 'task' }>,
  reaper: Reaper,
  wholeTree: boolean,
  logger: Logger,
  successCodes: ReadonlySet<number> | undefined,
): Promise<TaskEnd> {
  const startMs = Date.now();
  const t0 = process.hrtime.bigint();
  const took = (): number => Number(process.hrtime.bigint() - t0) / 1e9;
  try {
    const res = await supervise({ logger, censusMaxAge: CENSUS_MAX_AGE, ...l.options, subreaper: wholeTree, reaper });
    const ok = res.exitCode === 0 || (successCodes?.has(res.exitCode) ?? false);
    return { id, line: l.line, app: l.app, startMs, durationS: took(), exitCode: res.exitCode, pid: res.record.mainjob?.pid ?? 0, ok };
  } catch (e) {
    // A PlanError: the options of this line cannot run; nothing was started.
    const problem = e instanceof Error ? e.message : String(e);
    return { id, line: l.line, app: l.app, startMs, durationS: took(), exitCode: EXIT.usage, pid: 0, ok: false, problem };
  }
}
