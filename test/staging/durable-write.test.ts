import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { earlyFlush, mkdirs, syncDir, writeAll } from '../../src/staging/durable-write.js';

const { dir } = tempDir('durable-write');

describe('durable writes', () => {
  it('mkdirs makes the whole path; a regular file in the way is ENOTDIR', async () => {
    await mkdirs(join(dir, 'a/b/c'));
    await mkdirs(join(dir, 'a/b/c'));
    expect(existsSync(join(dir, 'a/b/c'))).toBe(true);
    writeFileSync(join(dir, 'file'), 'x');
    await expect(mkdirs(join(dir, 'file/sub'))).rejects.toMatchObject({ code: 'ENOTDIR', message: `ENOTDIR: not a directory, mkdir '${join(dir, 'file/sub')}'` });
  });

  it('writeAll writes every byte; early flushes: one in flight at a time, every `every` bytes, done() waits for it', async () => {
    const fh = await open(join(dir, 'data'), 'w');
    const flushedAt: number[] = [];
    let release!: () => void;
    let total = 0;
    fh.datasync = () => (flushedAt.push(total), new Promise<void>((r) => (release = r)));
    const early = earlyFlush(fh, 10);
    for (const n of [4, 8, 1, 30]) {
      early.written(total);
      await writeAll(fh, Buffer.alloc(n, 'z'));
      total += n;
    }
    // 12 bytes: the first flush; at 13 it is still in flight, so none more.
    expect(flushedAt).toEqual([12]);
    release();
    await early.done();
    early.written(total);
    expect(flushedAt).toEqual([12, 43]);
    release();
    await early.done();
    await fh.close();
    expect(readFileSync(join(dir, 'data'))).toHaveLength(43);
  });

  it("a failed early flush is rethrown by done(), not lost", async () => {
    const fh = await open(join(dir, 'failing'), 'w');
    const boom = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    fh.datasync = () => Promise.reject(boom);
    const early = earlyFlush(fh, 1);
    early.written(5);
    await expect(early.done()).rejects.toBe(boom);
    await fh.close();
  });

  it('syncDir syncs a directory; calls while one runs share the next one (a group commit), and each settles', async () => {
    const before = syncDir(dir);
    await expect(before).resolves.toBeUndefined();
    // Calls before an fsync starts share it; one after it settled gets its own.
    const joined = [syncDir(dir), syncDir(dir), syncDir(dir)];
    expect(joined[1]).toBe(joined[0]);
    expect(joined[2]).toBe(joined[0]);
    expect(joined[0]).not.toBe(before);
    await expect(Promise.all(joined)).resolves.toHaveLength(3);
    // A folder that cannot be opened fails its callers, and the next call starts afresh.
    const gone = join(dir, 'no-such-folder');
    await expect(syncDir(gone)).rejects.toMatchObject({ code: 'ENOENT' });
    mkdirSync(gone);
    await expect(syncDir(gone)).resolves.toBeUndefined();
  });
});
