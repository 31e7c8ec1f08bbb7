import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { openFileSite } from '../../src/staging/file.js';

/** What file:// does beyond the contract every kind keeps (contract.test.ts). */
const root = tempDir('file-site').dir;
const site = openFileSite(pathToFileURL(root).href, root);

async function* body(...parts: string[]) {
  for (const p of parts) yield Buffer.from(p);
}

describe('the file:// site', () => {
  it('a put leaves only the final file (no temp file) and reports its bytes as they are written', async () => {
    let counted = 0;
    expect(await site.put('job/gen-000001/a', body('hello ', 'world'), { onBytes: (n) => (counted += n) })).toBe(11);
    expect(counted).toBe(11);
    expect(readdirSync(join(root, 'job/gen-000001'))).toEqual(['a']);
  });

  it('a put into a folder removed since the last put there makes it again', async () => {
    await site.put('job/chunks/one', body('1'));
    await site.remove([{ key: 'job/chunks/one', size: 1, mtimeMs: 0 }]);
    expect(existsSync(join(root, 'job/chunks'))).toBe(false);
    expect(await site.put('job/chunks/two', body('22'))).toBe(2);
    expect(readFileSync(join(root, 'job/chunks/two'), 'utf8')).toBe('22');
  });

  it('getCopying copies the object in the kernel while its chunks are read', async () => {
    const dest = join(root, 'copy-dest');
    const { chunks, copied } = await site.getCopying!('job/gen-000001/a', dest);
    const got: Buffer[] = [];
    for await (const c of chunks) got.push(c);
    await copied;
    expect(Buffer.concat(got).toString()).toBe('hello world');
    expect(readFileSync(dest, 'utf8')).toBe('hello world');
  });

  it('getChunks destroyed before it is read closes the file', async () => {
    const file = join(root, 'job/gen-000001/a');
    const open = () => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });
    const chunks = await site.getChunks!('job/gen-000001/a');
    expect(open()).toHaveLength(1);
    chunks.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(open()).toEqual([]);
  });

  it('a directory is no object; a put under a file is a retryable error that leaves nothing behind', async () => {
    mkdirSync(join(root, 'job/dir'));
    await expect(site.get('job/dir')).rejects.toMatchObject({ name: 'SiteError', kind: 'missing' });
    writeFileSync(join(root, 'flat'), 'x');
    await expect(site.put('flat/gen-000002/a', body('x'))).rejects.toMatchObject({ name: 'SiteError', kind: 'retryable', message: expect.stringMatching(/^ENOTDIR/) });
    expect(readFileSync(join(root, 'flat'), 'utf8')).toBe('x');
  });

  it('a failed first put removes the generation folder it made', async () => {
    const failing = (async function* () {
      yield Buffer.from('part');
      throw new Error('torn checkpoint');
    })();
    await expect(site.put('job/gen-000003/a', failing)).rejects.toThrow('torn checkpoint');
    expect(existsSync(join(root, 'job/gen-000003'))).toBe(false);
  });
});
