import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { TEMP_MARK, type SiteEntry } from './site.js';

/**
 * A file:// site's directory tree: the objects below a key prefix (a temp
 * file of an unfinished put is listed as partial), and the folders a removal
 * left empty.
 */
export async function walk(absDir: string, keyDir: string, prefix: string, out: SiteEntry[], signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const names = await fsp.readdir(absDir, { withFileTypes: true });
  for (const d of names) {
    const key = keyDir ? `${keyDir}/${d.name}` : d.name;
    if (d.isDirectory()) {
      if ((key + '/').startsWith(prefix) || prefix.startsWith(key + '/')) {
        await walk(path.join(absDir, d.name), key, prefix, out, signal).catch((err) => {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        });
      }
      continue;
    }
    if (!d.isFile() || !key.startsWith(prefix)) continue;
    try {
      const st = await fsp.stat(path.join(absDir, d.name));
      const partial = d.name.includes(TEMP_MARK);
      out.push({ key, size: st.size, mtimeMs: st.mtimeMs, ...(partial ? { partial } : {}) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** Drops directories below `root` that are empty now (generation folders), deepest first; never `root` itself. */
export async function dropEmptyDirs(root: string, dirs: string[]): Promise<void> {
  for (const d of dirs.sort((a, b) => b.length - a.length)) {
    let cur = d;
    while (cur.startsWith(root + path.sep) && cur !== root) {
      try {
        await fsp.rmdir(cur);
      } catch {
        break;
      }
      cur = path.dirname(cur);
    }
  }
}
