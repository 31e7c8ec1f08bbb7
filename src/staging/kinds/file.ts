import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineKind } from '../kind.js';

/** file:///abs/dir: a directory on a shared or local file system. */
export const fileKind = defineKind<{ dir: string }>({
  scheme: 'file',
  example: 'file:///abs/dir',
  about: 'a directory (local or a shared file system); writes are temp file + fsync + rename',
  parse(url) {
    if (!url.startsWith('file:///')) return { ok: false, why: 'a file URL needs an absolute path: file:///abs/dir' };
    let dir: string;
    try {
      dir = fileURLToPath(url);
    } catch {
      return { ok: false, why: 'not a valid file URL; use file:///abs/dir' };
    }
    return { ok: true, url: url.replace(/\/+$/, ''), target: { dir: path.resolve(dir) } };
  },
  async open(url, t) {
    const { openFileSite } = await import('../file.js');
    return openFileSite(url, t.dir);
  },
});
