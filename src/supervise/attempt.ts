import type { Logger } from '../log.js';
import { monotonicMs, randomBytes } from '../startup.js';
import { liveTree, signalTree, type SignalName } from '../process/signal.js';
import { commandLine, readProc } from '../process/tree.js';
import type { TreeQuery } from '../process/tree.js';
import type { JobName, SignalSent } from '../record/types.js';
import type { Schedule } from './deadlines.js';

/** The running state of one attempt that deadlines and forwarded signals act on. */
export class AttemptState {
  readonly t0 = monotonicMs();
  readonly startMs = Date.now();
  readonly signals: SignalSent[] = [];
  readonly lingering: { pid: number; command: string }[] = [];
  readonly token = `${process.pid}.${randomBytes(4).toString('hex')}`;
  deadlineFired = false;
  firedAt?: number;
  /**
   * Where the deadline found the attempt: only one that reached the main job
   * makes a checkpoint. Cleanup is spared (pegasus-kickstart's rule), and a
   * deadline during setup or prejob means the main job never ran.
   */
  deadlineHit?: 'before-main' | 'main' | 'after-main';
  private main: 'before' | 'running' | 'after' = 'before';
  /** Signal kickstart received that stops this attempt (TERM, INT, HUP). */
  stoppedBy?: SignalName;
  private current?: { name: JobName; pid: number };
  /** ks-exec processes: the jobs' parents, searched through but never signalled. */
  private readonly helpers: number[] = [];
  /** Pids and groups of every job so far, except cleanup, which deadlines must spare. */
  private readonly pids: number[] = [];
  /** Start times of those pids and of kickstart: a reaped pid reused by a stranger is never taken for the job's. */
  private readonly starts = new Map<number, number>();
  private killTimer?: NodeJS.Timeout;
  private disarmed = false;
  private timers: NodeJS.Timeout[] = [];

  private deadlineTimers: NodeJS.Timeout[] = [];

  constructor(
    private readonly logger: Logger,
    private schedule: Schedule,
    private readonly subreaper: boolean,
  ) {}

  /** The deadlines as they stand (--max-walltime auto moves them). */
  get deadlines(): Schedule {
    return this.schedule;
  }

  elapsed(): number {
    return (monotonicMs() - this.t0) / 1000;
  }

  marker(name: JobName): string {
    return name === 'cleanup' ? `${this.token}.cleanup` : this.token;
  }

  /** Stages after a fired deadline or a stop are skipped; cleanup still runs. */
  get stopping(): boolean {
    return this.deadlineFired || this.stoppedBy !== undefined;
  }

  running(name: JobName, pid: number, helperPid: number): void {
    this.current = { name, pid };
    // Read while they are unreaped children of ours, so still the processes we started.
    for (const p of [pid, helperPid]) {
      const st = readProc(p)?.starttime;
      if (st !== undefined) this.starts.set(p, st);
    }
    if (name === 'mainjob') this.main = 'running';
    this.helpers.push(helperPid);
    if (name !== 'cleanup') this.pids.push(pid);
  }

  finished(): void {
    if (this.current?.name === 'mainjob') this.main = 'after';
    this.current = undefined;
  }

  /** A deadline that reached a main job being started counts as reaching it. */
  reachedMain(): void {
    this.deadlineHit = 'main';
  }

  /**
   * Which processes a signal must reach. As the subreaper, every escapee
   * comes back below kickstart, so its children and the job's groups are the
   * whole tree (a running cleanup job is spared). Without it, the environment
   * marker finds escapees that init adopted. Roots never include a reaped
   * job's pid, which a stranger may reuse; groups outlive their leader.
   */
  private query(forCleanup: boolean): TreeQuery {
    return { ...this.members(forCleanup), starts: this.starts };
  }

  private members(forCleanup: boolean): TreeQuery {
    const cleanup = this.current?.name === 'cleanup' ? [this.current.pid] : [];
    const spared = [process.pid, ...this.helpers];
    if (this.subreaper) {
      return forCleanup
        ? { roots: spared, groups: cleanup, exclude: spared }
        : { roots: spared, groups: this.pids, exclude: [...spared, ...cleanup] };
    }
    if (forCleanup) {
      return { roots: cleanup, groups: cleanup, marker: `KICKSTART_JOB=${this.marker('cleanup')}`, exclude: spared };
    }
    const root = this.current && this.current.name !== 'cleanup' ? [this.current.pid] : [];
    return { roots: root, groups: this.pids, marker: `KICKSTART_JOB=${this.token}`, exclude: spared };
  }

  /**
   * Pids of the job's live processes, for resource sampling. As the
   * subreaper everything of the job hangs below kickstart, so the /proc
   * children lists suffice and the full /proc scan a live group triggers is
   * skipped: this runs every sampling interval.
   */
  processes(): number[] {
    const q = this.query(false);
    return liveTree(this.subreaper ? { ...q, groups: [] } : q).map((p) => p.pid);
  }

  /** Sends a signal to the job tree and notes it in the record. */
  send(signal: SignalName, reason: SignalSent['reason'], includeCleanup = false): number {
    let reached = signalTree(this.query(false), signal);
    if (includeCleanup && this.current?.name === 'cleanup') {
      const more = signalTree(this.query(true), signal);
      reached = { reached: [...reached.reached, ...more.reached], errors: [...reached.errors, ...more.errors] };
    }
    for (const e of reached.errors) this.logger.warn({ error: e }, 'could not signal a job process');
    const processes = reached.reached.length;
    if (processes > 0 || reason !== 'kill-time') {
      this.signals.push({ signal, processes, at: round3(this.elapsed()), reason });
    }
    return processes;
  }

  /** Arms the deadline timers of the schedule, relative to the attempt's start. */
  arm(): void {
    const { termAt, killAt } = this.schedule;
    if (termAt === undefined) return;
    const since = () => monotonicMs() - this.t0;
    if (!this.deadlineFired) {
      this.deadlineTimers.push(
        setTimeout(() => {
          this.deadlineFired = true;
          this.firedAt = round3(this.elapsed());
          this.deadlineHit = this.main === 'running' ? 'main' : this.main === 'before' ? 'before-main' : 'after-main';
          if (this.current?.name === 'cleanup' || (this.current === undefined && this.main === 'after')) {
            this.logger.debug({ at: this.firedAt }, 'checkpoint time passed after the main job: cleanup is spared');
            return;
          }
          const n = this.send('SIGTERM', 'checkpoint-time');
          // "sending SIGTERM": the words pegasus-kickstart prints, which its users' scripts look for.
          this.logger.info({ processes: n, at: this.firedAt, job: this.current?.name }, 'job timed out (checkpoint time): sending SIGTERM');
        }, Math.max(0, termAt - since())),
      );
    }
    if (killAt !== undefined) {
      this.deadlineTimers.push(setTimeout(() => this.killLoop('kill-time'), Math.max(0, killAt - since())));
    }
  }

  /**
   * New deadlines (the batch system's end moved): the timers move with
   * them. A SIGTERM already sent stays sent; only the SIGKILL moves then.
   */
  rearm(schedule: Schedule): void {
    for (const t of this.deadlineTimers) clearTimeout(t);
    this.deadlineTimers = [];
    this.schedule = schedule;
    if (!this.disarmed) this.arm();
  }

  /**
   * SIGKILL to the whole tree, repeated every 250 ms while anything of the job
   * lives (a process may fork between a scan and the signal).
   */
  killLoop(reason: SignalSent['reason']): void {
    if (this.killTimer) return;
    const tick = () => {
      const q = this.query(false);
      if (liveTree(q).length === 0) {
        this.killTimer = undefined;
        return;
      }
      const n = this.send('SIGKILL', reason);
      if (n > 0) this.logger.warn({ processes: n, at: round3(this.elapsed()), reason }, 'job still running: sending SIGKILL');
      this.killTimer = setTimeout(tick, 250);
    };
    tick();
    // tick() may have armed the timer: TypeScript cannot see that through the closure.
    (this.killTimer as NodeJS.Timeout | undefined)?.unref();
  }

  /** A signal kickstart received: forwarded; TERM, INT and HUP also start the SIGKILL grace. */
  external(signal: SignalName): void {
    this.send(signal, 'forwarded', true);
    this.logger.warn({ signal }, 'kickstart received a signal: forwarded it to the job');
    if (signal === 'SIGTERM' || signal === 'SIGINT' || signal === 'SIGHUP') {
      this.stoppedBy ??= signal;
      this.timers.push(setTimeout(() => this.killLoop('shutdown'), this.schedule.graceMs));
    }
  }

  /**
   * Descendants a job left behind when it ended on its own: TERM, a short
   * grace, then KILL; each is listed in the record.
   */
  async sweep(name: JobName, graceMs: number): Promise<void> {
    const q = this.query(name === 'cleanup');
    const left = liveTree(q);
    if (left.length === 0) return;
    for (const p of left) this.lingering.push({ pid: p.pid, command: commandLine(p.pid) || p.comm });
    this.send('SIGTERM', 'linger', name === 'cleanup');
    this.logger.warn({ job: name, processes: left.length }, 'the job left processes running: ending them');
    const until = monotonicMs() + graceMs;
    while (monotonicMs() < until && liveTree(q).length > 0) await sleep(20);
    while (liveTree(q).length > 0) {
      this.send('SIGKILL', 'linger', name === 'cleanup');
      await sleep(20);
    }
  }

  /** Stops all timers; the kill loop stops only once the tree is gone. */
  disarm(): void {
    this.disarmed = true;
    for (const t of [...this.timers, ...this.deadlineTimers]) clearTimeout(t);
    this.timers = [];
    this.deadlineTimers = [];
  }

  async settle(): Promise<void> {
    while (this.killTimer) await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
