import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** getrusage() of a reaped job, as the addon reports it: the record's `usage:` keys. */
export interface Rusage {
  utime: number;
  stime: number;
  maxrss: number;
  minflt: number;
  majflt: number;
  nswap: number;
  inblock: number;
  outblock: number;
  msgsnd: number;
  msgrcv: number;
  nsignals: number;
  nvcsw: number;
  nivcsw: number;
}

export interface WaitResult {
  /** The reaped pid; 0 when nothing had exited (waitNow), -1 on error. */
  pid: number;
  errno: number;
  status?: number;
  rusage?: Rusage;
}

export interface NativeAddon {
  /** Returns the pid, or -errno when the executable could not be started. */
  spawn(path: string, argv: string[], envp: string[], cwd: string | null, fds: [number, number, number]): number;
  /** peek (pid -1 only): which child has exited, without reaping it (no status or rusage then). */
  wait(pid: number, peek?: boolean): Promise<WaitResult>;
  waitNow(pid: number): WaitResult;
  /** 0 on success, else errno. */
  setSubreaper(): number;
  rusage(who: 'self' | 'children'): Rusage;
  umask(): number;
  /** State counts [total, running, sleeping, waiting, zombie, stopped, other] of processes and threads. */
  procScan(): Promise<{ procs: number[]; tasks: number[]; vsize: number; rss: number }>;
  /** Content-defined chunking (native/cdc.c, native/chunk-hash.c): a cutting state for one stream; 64 <= min < avg < max. */
  cdcHasher(min: number, avg: number, max: number): CdcHasher;
  /**
   * Cuts buf on the thread pool, continuing the stream the hasher has seen:
   * the cuts (indices into buf, exclusive) and the SHA-256 (hex) of each
   * chunk they end. The bytes after the last cut go on into the next call.
   * buf is only read, and kept alive until the promise settles; one call
   * per hasher at a time (a second one throws).
   */
  cdcHash(hasher: CdcHasher, buf: Uint8Array): Promise<CdcCuts>;
  /** The SHA-256 of the chunk in progress at the end of the stream, or null when there is none. */
  cdcHashEnd(hasher: CdcHasher): string | null;
  /** SHA-256 of buf, in hex, on the thread pool. buf is only read, and kept alive until the promise settles. */
  sha256(buf: Uint8Array): Promise<string>;
}

/** Where a buffer's chunks end (indices into it, exclusive), and each one's SHA-256 in hex. */
export interface CdcCuts {
  cuts: number[];
  hashes: string[];
}

declare const hasherBrand: unique symbol;
/** Opaque: native memory, freed when collected. */
export type CdcHasher = { readonly [hasherBrand]: true };

let addon: NativeAddon | undefined;

/** The single-file binary loads the addon from its unpack directory itself (src/binary/). */
export function useAddon(loaded: NativeAddon): void {
  addon = loaded;
}

/**
 * Finds the addon next to the package root (bundle in dist/, sources in src/)
 * or, inside the single-file binary, where the bootstrap unpacked it
 * (KICKSTART_NATIVE_ADDON).
 */
export function native(): NativeAddon {
  if (addon) return addon;
  const candidates = [process.env.KICKSTART_NATIVE_ADDON ?? ''];
  let dir = dirname(new URL(import.meta.url).pathname);
  for (let i = 0; i < 4; i++) {
    candidates.push(join(dir, 'build', 'Release', 'kickstart.node'));
    dir = dirname(dir);
  }
  const found = candidates.find((c) => c && existsSync(c));
  if (!found) {
    throw new Error('the native addon build/Release/kickstart.node is missing: run `npm install` (it needs g++ and Node headers)');
  }
  // dlopen, not require(): no module resolution (stat, realpath, package.json
  // reads) on a path already known, before every job.
  const m = { exports: {} };
  process.dlopen(m, found);
  addon = m.exports as NativeAddon;
  return addon;
}
