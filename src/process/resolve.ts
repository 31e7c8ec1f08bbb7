import { accessSync, constants, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

const ERRNO = osConstants.errno as Record<string, number>;

export type Resolved =
  | { ok: true; path: string }
  | { ok: false; path: string; errno: number; code: 'ENOENT' | 'EACCES' | 'EISDIR' | 'ENOTDIR' | 'ELOOP' | 'ENAMETOOLONG' };

/**
 * Finds the executable as pegasus-kickstart does: a name with a slash is
 * taken as a path (relative to cwd); a bare name is looked for in the working
 * directory first (Pegasus jobs run `kickstart app` for an app staged there),
 * where a regular file wins even when it cannot run, so the error says EACCES
 * (126); then the first runnable match on PATH, remembering one that exists
 * but is not runnable, so that error says EACCES too, not ENOENT (127).
 */
export function resolveExecutable(name: string, path: string | undefined, cwd: string): Resolved {
  if (name === '') return { ok: false, path: name, errno: 2, code: 'ENOENT' };
  if (name.includes('/')) return check(isAbsolute(name) ? name : resolve(cwd, name));
  const here = join(cwd, name);
  if (isRegularFile(here)) return check(here);
  let denied: Resolved | undefined;
  for (const dir of (path ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir === '' ? cwd : resolve(cwd, dir), name);
    const r = check(candidate);
    if (r.ok) return r;
    if (r.code === 'EACCES') denied ??= r;
  }
  return denied ?? { ok: false, path: name, errno: 2, code: 'ENOENT' };
}

function check(path: string): Resolved {
  try {
    if (statSync(path).isDirectory()) return { ok: false, path, errno: 13, code: 'EACCES' };
    accessSync(path, constants.X_OK);
    return { ok: true, path };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return { ok: false, path, errno: 13, code: 'EACCES' };
    // A path that leads nowhere says why, as execve(2) would (pegasus-kickstart: "20   Not a directory").
    if (code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENAMETOOLONG') return { ok: false, path, errno: ERRNO[code]!, code };
    return { ok: false, path, errno: 2, code: 'ENOENT' };
  }
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
