import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

/*
 * Stand-ins for Node builtins that are costly to load, for the code every run
 * goes through: kickstart starts before every job of a workflow, so each
 * module loaded at start-up is paid millions of times. Measured with
 * scripts/bench/overhead.mjs (see BENCHMARKS.md): node:crypto pulls in
 * streams and ~20 internal modules, the `performance` global pulls in
 * perf_hooks.
 */

let pool = Buffer.alloc(0);
let used = 0;

/**
 * `n` random bytes from the kernel, without loading node:crypto. Drawn from
 * a small pool: a batch names two temp files per task, and an open, read and
 * close of /dev/urandom for each name was a measurable part of a task.
 */
export function randomBytes(n: number): Buffer {
  if (used + n > pool.length) {
    pool = Buffer.alloc(Math.max(256, n));
    const fd = openSync('/dev/urandom', 'r');
    try {
      readSync(fd, pool, 0, pool.length, null);
    } finally {
      closeSync(fd);
    }
    used = 0;
  }
  // A copy: callers may keep or change what they get.
  const out = Buffer.from(pool.subarray(used, used + n));
  used += n;
  return out;
}

/** A monotonic clock in milliseconds (like performance.now(), another origin). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

let crypto: typeof import('node:crypto') | undefined;

/** node:crypto, loaded on first use (hashing output files is the rare case). */
export function lazyCrypto(): typeof import('node:crypto') {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return crypto;
}
