import { native, type WaitResult } from '../native/addon.js';

const ECHILD = 10;

/**
 * Pids of children spawned through Node (execa: the batch system's look-ups
 * while a job runs). libuv reaps those itself; the 'all' loop must leave
 * them alone, or their exit is never seen and the look-up hangs.
 */
const spawnedByNode = new Set<number>();

/** Marks a child that Node spawned and will reap; call unmark once it has exited. */
export function nodeChild(pid: number): { unmark(): void } {
  spawnedByNode.add(pid);
  return { unmark: () => spawnedByNode.delete(pid) };
}

/**
 * Collects exit statuses. In 'all' mode (the CLI, where kickstart is a child
 * subreaper and spawns nothing else) one wait4(-1) loop reaps every child,
 * including descendants re-parented to kickstart, so no zombie is left. In
 * 'own' mode (embedded as a library, where the host may have children of its
 * own) it waits for the pids it spawned and nothing else.
 */
export class Reaper {
  readonly mode: 'all' | 'own';
  private readonly waiting = new Map<number, (r: WaitResult) => void>();
  private looping = false;
  private idle: (() => void)[] = [];
  /** Pids reaped that kickstart did not spawn: re-parented descendants. */
  readonly adopted: number[] = [];

  constructor(mode: 'all' | 'own') {
    this.mode = mode;
  }

  /** Resolves when `pid` (a child spawned by us) has been reaped. */
  exited(pid: number): Promise<WaitResult> {
    const p = new Promise<WaitResult>((resolve) => this.waiting.set(pid, resolve));
    if (this.mode === 'own') {
      void native().wait(pid).then((r) => this.deliver(pid, r));
    } else {
      this.loop();
    }
    return p;
  }

  private deliver(pid: number, r: WaitResult): void {
    const resolve = this.waiting.get(pid);
    if (resolve) {
      this.waiting.delete(pid);
      resolve(r);
    } else {
      this.adopted.push(pid);
    }
  }

  /** Starts the wait4(-1) loop if it is not running; it stops at ECHILD. */
  loop(): void {
    if (this.looping || this.mode !== 'all') return;
    this.looping = true;
    const step = (): void => {
      // Peek first, then reap that pid: a child Node owns stays for libuv.
      void native()
        .wait(-1, true)
        .then((r) => {
          if (r.pid > 0) {
            if (spawnedByNode.has(r.pid)) {
              setTimeout(step, 5);
              return;
            }
            this.deliver(r.pid, native().waitNow(r.pid));
            step();
            return;
          }
          this.looping = false;
          // ECHILD may predate a child spawned while the answer was on its way:
          // look at each waiter before giving up on it.
          let running = false;
          for (const pid of [...this.waiting.keys()]) {
            const now = native().waitNow(pid);
            if (now.pid > 0) this.deliver(pid, now);
            else if (now.pid === 0) running = true;
            else this.deliver(pid, now);
          }
          if (running) this.loop();
          else for (const wake of this.idle.splice(0)) wake();
        });
    };
    step();
  }

  /** Resolves once no child is left to reap, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.mode !== 'all') return;
    this.loop();
    if (!this.looping) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.idle.push(resolve);
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    clearTimeout(timer);
  }
}
