import { closeSync, constants, existsSync, fstatSync, openSync, readSync, renameSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from '../startup.js';

export type StreamName = 'stdin' | 'stdout' | 'stderr' | 'metadata' | 'integrity';

export interface StdioSlot {
  name: StreamName;
  /** The descriptor handed to the jobs. */
  fd: number;
  kind: 'temp' | 'file' | 'inherit';
  /** For a temp slot, the name it had for an instant: the record's temporary_name. */
  path?: string;
}

const TEMP_PREFIX: Record<StreamName, string> = {
  stdin: 'ks.in',
  stdout: 'ks.out',
  stderr: 'ks.err',
  metadata: 'ks.meta',
  integrity: 'ks.integrity',
};

/**
 * Linux's O_TMPFILE (with O_DIRECTORY, as the kernel defines it; Node does not
 * export it): a file in TMPDIR that never has a name, so no kill -9 at any
 * instant can leave it behind.
 */
const O_TMPFILE = 0o20200000;
/** What a file system without O_TMPFILE answers: then mkstemp + unlink. */
const NO_TMPFILE = new Set(['EOPNOTSUPP', 'EISDIR', 'EINVAL', 'ENOTSUP']);

/**
 * A capture file only the descriptor keeps: O_TMPFILE where the file system
 * has it, else mkstemp's shape (ks.out.XXXXXX, exclusive, mode 0600) unlinked
 * at once, which leaves the short window between the two. The record's
 * temporary_name is ks.out.XXXXXX either way. The job reaches a slot it must
 * open by name (metadata) through procPath().
 */
export function openTemp(name: StreamName): StdioSlot {
  const dir = process.env.TMPDIR || tmpdir();
  const named = () => join(dir, `${TEMP_PREFIX[name]}.${randomBytes(6).toString('base64url').slice(0, 6)}`);
  try {
    const fd = openSync(dir, O_TMPFILE | constants.O_RDWR, 0o600);
    return { name, fd, kind: 'temp', path: named() };
  } catch (e) {
    if (!NO_TMPFILE.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
  }
  for (;;) {
    const path = named();
    let fd: number;
    try {
      fd = openSync(path, 'wx+', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      continue;
    }
    try {
      unlinkSync(path);
    } catch {
      /* someone else removed it: the descriptor is what counts */
    }
    return { name, fd, kind: 'temp', path };
  }
}

/**
 * A name the job can open for a slot kickstart holds: /proc/PID/fd/N reopens
 * the unlinked file itself (also with >> or O_TRUNC) for as long as kickstart
 * lives, and for no one else but the same user.
 */
export function procPath(slot: StdioSlot): string {
  return `/proc/${process.pid}/fd/${slot.fd}`;
}

/** Moves an existing file to the first free file.000 … file.999, as pegasus-kickstart's `^file` does. */
function rotate(path: string): void {
  if (!existsSync(path)) return;
  for (let i = 0; i < 1000; i++) {
    const target = `${path}.${String(i).padStart(3, '0')}`;
    if (!existsSync(target)) {
      renameSync(path, target);
      return;
    }
  }
  throw Object.assign(new Error(`cannot rotate ${path}: ${path}.000 to ${path}.999 all exist; remove old ones`), {
    code: 'EEXIST',
  });
}

/**
 * Opens one of the job's standard streams from its -i/-o/-e spec:
 * undefined -> a temp file (stdin: /dev/null), `-` -> kickstart's own,
 * `!file` -> append, `^file` -> rotate the old file away, then truncate,
 * `file` -> truncate (stdin: read).
 */
export function openStdio(name: 'stdin' | 'stdout' | 'stderr', spec: string | undefined, cwd: string): StdioSlot {
  const own = name === 'stdin' ? 0 : name === 'stdout' ? 1 : 2;
  if (spec === '-') return { name, fd: own, kind: 'inherit' };
  if (spec === undefined) {
    if (name === 'stdin') return { name, fd: openSync('/dev/null', 'r'), kind: 'file', path: '/dev/null' };
    return openTemp(name);
  }
  if (name === 'stdin') {
    const path = resolve(cwd, spec);
    return { name, fd: openSync(path, 'r'), kind: 'file', path };
  }
  let flags = 'w';
  let file = spec;
  if (spec.startsWith('!')) {
    flags = 'a';
    file = spec.slice(1);
  } else if (spec.startsWith('^')) {
    file = spec.slice(1);
    rotate(resolve(cwd, file));
  }
  const path = resolve(cwd, file);
  return { name, fd: openSync(path, flags, 0o644), kind: 'file', path };
}

export interface Tail {
  data: string;
  truncated: boolean;
}

/**
 * What `-B all` keeps at most: a 10 GB output must not become a 10 GB buffer
 * (and V8 strings end near 512 MiB), so past this the record holds the end.
 */
export const MAX_TAIL = 64 << 20;

/** The last `limit` bytes of a descriptor's file: what goes into the record's `data:`. */
export function readTail(fd: number, limit: number | 'all'): Tail {
  const size = fstatSync(fd).size;
  const want = Math.min(size, limit === 'all' ? MAX_TAIL : limit, MAX_TAIL);
  const buf = Buffer.allocUnsafe(want);
  let got = 0;
  const start = size - want;
  while (got < want) {
    const n = readSync(fd, buf, got, want - got, start + got);
    if (n === 0) break;
    got += n;
  }
  return { data: buf.subarray(0, got).toString('utf8'), truncated: want < size };
}

/** Closes the slot; a temp file went away when it was opened. */
export function closeStdio(slot: StdioSlot): void {
  if (slot.kind === 'inherit') return;
  try {
    closeSync(slot.fd);
  } catch {
    /* already closed */
  }
}
