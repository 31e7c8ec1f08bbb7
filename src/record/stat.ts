/**
 * `stat` blocks as Pegasus prints them. Errors become data ({ error: errno })
 * because a missing input or executable is a fact for the record, not a crash.
 */
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { lazyCrypto, monotonicMs } from '../startup.js';
import { isoSeconds } from './time.js';
import { groupName, userName } from './users.js';
import type { StatInfo } from './types.js';

/** Leading keys that name the file; Pegasus prints them before the stat fields. */
export interface StatExtra {
  lfn?: string;
}

/** How a descriptor is named: temporary capture files, or the record's own fd. */
export type FdName = { temporary_name: string; descriptor: number } | { descriptor_number: number };

/** Node reports errno negated (-2); Pegasus prints the positive value. */
export function errnoOf(err: unknown): number {
  const n = (err as NodeJS.ErrnoException | null)?.errno;
  return typeof n === 'number' && n !== 0 ? Math.abs(n) : 5; // EIO when unknown
}

function fields(st: Stats): StatInfo {
  return {
    mode: st.mode,
    size: st.size,
    inode: st.ino,
    nlink: st.nlink,
    blksize: st.blksize,
    blocks: st.blocks,
    mtime: isoSeconds(st.mtimeMs),
    atime: isoSeconds(st.atimeMs),
    ctime: isoSeconds(st.ctimeMs),
    uid: st.uid,
    user: userName(st.uid),
    gid: st.gid,
    group: groupName(st.gid),
  };
}

export function statInfo(path: string, extra: StatExtra = {}): StatInfo {
  const lead = extra.lfn === undefined ? {} : { lfn: extra.lfn };
  try {
    return { ...lead, file_name: path, ...fields(statSync(path)) };
  } catch (err) {
    // Pegasus order for a failed stat: error, lfn, file_name.
    return { error: errnoOf(err), ...lead, file_name: path };
  }
}

export function statFd(fd: number, name: FdName): StatInfo {
  try {
    return { ...name, ...fields(fstatSync(fd)) };
  } catch (err) {
    return { error: errnoOf(err), ...name };
  }
}

export interface Checksum {
  sha256: string;
  /** Wall-clock seconds spent hashing (Pegasus's checksum_timing). */
  seconds: number;
}

// 1 MiB keeps memory flat for any output size while keeping syscalls few.
const CHUNK = 1 << 20;

/** SHA-256 of a file read in fixed chunks; null when it cannot be read. */
export function sha256File(path: string): Checksum | null {
  const started = monotonicMs();
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const hash = lazyCrypto().createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
    return { sha256: hash.digest('hex'), seconds: (monotonicMs() - started) / 1000 };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
