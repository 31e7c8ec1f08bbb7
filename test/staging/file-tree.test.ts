import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { dropEmptyDirs, walk } from '../../src/staging/file-tree.js';
import { TEMP_MARK, type SiteEntry } from '../../src/staging/site.js';

const root = tempDir('file-tree').dir;

describe("a file:// site's tree", () => {
  it('walk lists the files whose key starts with the prefix, temp files as partial', async () => {
    mkdirSync(join(root, 'job/gen-000001'), { recursive: true });
    mkdirSync(join(root, 'job/chunks'), { recursive: true });
    mkdirSync(join(root, 'other'), { recursive: true });
    writeFileSync(join(root, 'job/gen-000001/a'), 'aa');
    writeFileSync(join(root, `job/gen-000001/b${TEMP_MARK}1234`), 'b');
    writeFileSync(join(root, 'job/chunks/c'), 'ccc');
    writeFileSync(join(root, 'other/x'), 'x');
    const list = async (prefix: string) => {
      const out: SiteEntry[] = [];
      await walk(root, '', prefix, out);
      return out.map((e) => [e.key, e.size, e.partial ?? false]).sort();
    };
    expect(await list('job/gen-')).toEqual([['job/gen-000001/a', 2, false], [`job/gen-000001/b${TEMP_MARK}1234`, 1, true]]);
    expect(await list('job/')).toHaveLength(3);
    expect(await list('')).toHaveLength(4);
    expect(await list('none/')).toEqual([]);
  });

  it('dropEmptyDirs removes emptied folders up to the root, never the root nor a folder still holding something', async () => {
    mkdirSync(join(root, 'drop/g1/deep'), { recursive: true });
    mkdirSync(join(root, 'drop/g2'), { recursive: true });
    writeFileSync(join(root, 'drop/g2/keep'), 'k');
    await dropEmptyDirs(root, [join(root, 'drop/g1/deep'), join(root, 'drop/g2')]);
    expect(existsSync(join(root, 'drop/g1'))).toBe(false);
    expect(existsSync(join(root, 'drop/g2/keep'))).toBe(true);
    const lone = tempDir('file-tree-root').dir;
    await dropEmptyDirs(lone, [lone]);
    expect(existsSync(lone)).toBe(true);
  });
});
