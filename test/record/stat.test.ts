import { closeSync, openSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { limits, parseLimits } from '../../src/record/limits.js';
import { sha256File, statFd, statInfo } from '../../src/record/stat.js';
import { isoMillis, isoSeconds } from '../../src/record/time.js';
import { groupName, parseIdFile, userName } from '../../src/record/users.js';

const { dir } = tempDir('stat');

describe('statInfo / statFd', () => {
  it('lists the Pegasus fields in order', () => {
    const st = statInfo('/dev/null');
    expect(Object.keys(st)).toEqual([
      'file_name', 'mode', 'size', 'inode', 'nlink', 'blksize', 'blocks', 'mtime', 'atime', 'ctime', 'uid', 'user', 'gid', 'group',
    ]);
    expect(st.mode).toBe(statSync('/dev/null').mode);
    expect(st.mtime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$/);
  });

  it('reports a failed stat as a positive errno', () => {
    expect(statInfo('/nonexistent/foo')).toEqual({ error: 2, file_name: '/nonexistent/foo' });
    expect(statInfo('args.txt-missing', { lfn: 'in' })).toEqual({ error: 2, lfn: 'in', file_name: 'args.txt-missing' });
  });

  it('names descriptors as Pegasus does', () => {
    const path = join(dir, 'cap');
    writeFileSync(path, 'abc');
    const fd = openSync(path, 'r');
    expect(Object.keys(statFd(fd, { temporary_name: path, descriptor: 3 })).slice(0, 3)).toEqual(['temporary_name', 'descriptor', 'mode']);
    expect(statFd(fd, { descriptor_number: 1 })).toMatchObject({ descriptor_number: 1, size: 3 });
    closeSync(fd);
    expect(statFd(fd, { descriptor_number: 1 })).toEqual({ error: 9, descriptor_number: 1 });
  });
});

describe('sha256File', () => {
  it('hashes files larger than its chunk and reports null for missing ones', () => {
    const path = join(dir, 'big');
    const data = Buffer.alloc(3 * (1 << 20) + 17, 'z');
    writeFileSync(path, data);
    const r = sha256File(path)!;
    expect(r.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(r.seconds).toBeGreaterThanOrEqual(0);
    expect(sha256File(join(dir, 'nope'))).toBeNull();
  });
});

describe('limits', () => {
  it('has Pegasus keys in RLIMIT order with numbers or "unlimited"', () => {
    const l = limits();
    const keys = Object.keys(l);
    expect(keys.slice(0, 4)).toEqual(['RLIMIT_CPU_soft', 'RLIMIT_CPU_hard', 'RLIMIT_FSIZE_soft', 'RLIMIT_FSIZE_hard']);
    expect(keys.slice(10, 12)).toEqual(['RESOURCE_5_soft', 'RESOURCE_5_hard']);
    expect(keys.slice(-2)).toEqual(['RESOURCE_15_soft', 'RESOURCE_15_hard']);
    expect(keys).toHaveLength(32);
    for (const v of Object.values(l)) expect(v === 'unlimited' || Number.isInteger(v)).toBe(true);
  });

  it('parses the /proc text', () => {
    const text = 'Limit                     Soft Limit           Hard Limit           Units     \n' +
      'Max stack size            8388608              unlimited            bytes     \n' +
      'Max nice priority         0                    0                    \n';
    expect(parseLimits(text)).toEqual({ RLIMIT_STACK_soft: 8388608, RLIMIT_STACK_hard: 'unlimited', RLIMIT_NICE_soft: 0, RLIMIT_NICE_hard: 0 });
  });
});

describe('time and users', () => {
  it("formats Pegasus's two timestamp shapes in local time", () => {
    const ms = Date.UTC(2026, 10, 25, 4, 55, 40, 247);
    const off = -new Date(ms).getTimezoneOffset();
    const local = new Date(ms + off * 60_000).toISOString().slice(0, 23);
    const sign = off < 0 ? '-' : '+';
    const z = `${sign}${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}:${String(Math.abs(off) % 60).padStart(2, '0')}`;
    expect(isoMillis(ms)).toBe(`${local}${z}`);
    expect(isoSeconds(ms)).toBe(`${local.slice(0, 19)}${z}`);
    expect(isoMillis(0)).toMatch(/^19(70|69)-\d\d-\d\dT\d\d:\d\d:\d\d\.000[-+]\d\d:\d\d$/);
  });

  it('maps ids to names with a numeric fallback', () => {
    expect(parseIdFile('root:x:0:0:root:/root:/bin/bash\n#c\nalt:x:0:0::/:/bin/sh\nbad\n').get(0)).toBe('root');
    expect(userName(0)).toBe('root');
    expect(groupName(0)).toBe('root');
    expect(userName(4_000_000_000)).toBe('4000000000');
  });
});
