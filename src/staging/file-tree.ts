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
  const files: [name: string, key: string][] = [];
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
    if (d.isFile() && key.startsWith(prefix)) files.push([d.name, key]);
  }
  // Stats side by side: one at a time, a job's ~1000 chunks cost a thread-pool
  // round trip each (0.35 s of an unchanged 1 GiB re-ship).
  for (let i = 0; i < files.length; i += STATS_AT_ONCE) {
    signal?.throwIfAborted();
    await Promise.all(
      files.slice(i, i + STATS_AT_ONCE).map(async ([name, key]) => {
        try {
          const st = await fsp.stat(path.join(absDir, name));
          const partial = name.includes(TEMP_MARK);
          out.push({ key, size: st.size, mtimeMs: st.mtimeMs, ...(partial ? { partial } : {}) });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }),
    );
  }
}

const STATS_AT_ONCE = 64;

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
