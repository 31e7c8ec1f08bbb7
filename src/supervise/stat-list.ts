import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { errnoOf } from '../record/stat.js';
import type { StatRequest } from './options.js';

/**
 * The lines of a -s/-S @listfile, as the Pegasus planner writes it: one
 * `[lfn=]file` a line, `#` starts a comment, trailing blanks and empty lines
 * are ignored.
 */
export function parseStatList(text: string): StatRequest[] {
  const out: StatRequest[] = [];
  for (const raw of text.split('\n')) {
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trimEnd();
    if (line === '') continue;
    const eq = line.indexOf('=');
    out.push(eq > 0 ? { lfn: line.slice(0, eq), path: line.slice(eq + 1) } : { path: line });
  }
  return out;
}

/**
 * Replaces each list request by the files it lists. The list is read now,
 * relative to kickstart's own directory (as pegasus-kickstart reads it while
 * parsing options); one that cannot be read stays as an entry with its errno,
 * so the record says which list was missing instead of the run failing.
 */
export function expandStatLists(requests: StatRequest[], baseCwd: string): StatRequest[] {
  const out: StatRequest[] = [];
  for (const r of requests) {
    if (!r.list) {
      out.push(r);
      continue;
    }
    const file = resolve(baseCwd, r.path);
    try {
      out.push(...parseStatList(readFileSync(file, 'utf8')));
    } catch (e) {
      out.push({ path: file, lfn: `@${r.path}`, error: errnoOf(e) });
    }
  }
  return out;
}
