import path from 'node:path';

/**
 * Pure path rules of the transfer step: which --checkpoint values are
 * allowed, how globs match, which stored names are safe to restore.
 */

const GLOB_CHARS = /[*?[]/;

export function isGlob(spec: string): boolean {
  return GLOB_CHARS.test(spec);
}

/** The leading segments of a glob that hold no wildcard: where to start walking. */
export function globBase(spec: string): { base: string; rest: string[] } {
  const segs = spec.split('/');
  const lead: string[] = [];
  let i = 0;
  for (; i < segs.length; i++) {
    if (isGlob(segs[i])) break;
    lead.push(segs[i]);
  }
  const base = lead.join('/') || (spec.startsWith('/') ? '/' : '.');
  return { base, rest: segs.slice(i).filter((s) => s !== '') };
}

/** One glob segment as a RegExp: `*`, `?`, `[abc]`, `[!a-z]`; `*` and `?` never match a leading dot. */
export function segmentRegExp(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  const dotSafe = seg.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${dotSafe}${re}$`);
}

/** The path of `abs` relative to `cwd` in '/' form, or undefined when it lies outside. */
export function insideRel(cwd: string, abs: string): string | undefined {
  const rel = path.relative(cwd, abs);
  if (rel === '') return '';
  if (rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

/**
 * undefined when every --checkpoint lies inside `cwd` (or `allowOutside`),
 * else a one-line message naming the first offender and the fix.
 */
export function checkCheckpointPaths(paths: string[], cwd: string, allowOutside: boolean): string | undefined {
  if (paths.length === 0) return '--checkpoint: no checkpoint declared; name a file, directory or glob relative to the working directory';
  for (const p of paths) {
    if (p.trim() === '') return `--checkpoint '': empty path; name a file, directory or glob relative to the working directory`;
    if (p.includes('\0')) return `--checkpoint '${p}': contains a NUL byte`;
    const { base, rest } = isGlob(p) ? globBase(p) : { base: p, rest: [] };
    if (rest.some((s) => s === '..' || s === '.')) {
      return `--checkpoint '${p}': '.' or '..' after a wildcard; write the directory part without wildcards`;
    }
    if (allowOutside) continue;
    const abs = path.resolve(cwd, base);
    if (insideRel(cwd, abs) === undefined) {
      return `--checkpoint '${p}' is outside the working directory ${cwd}; checkpoints are restored relative to it (use --allow-outside to permit this)`;
    }
  }
  return undefined;
}

/**
 * Is a stored path safe to restore? Relative '/'-separated names without
 * empty, '.' or '..' segments; absolute ones only for checkpoints declared
 * outside the working directory (`allowAbsolute`). Returns a reason when not.
 */
export function unsafePathReason(p: string, allowAbsolute: boolean): string | undefined {
  if (typeof p !== 'string' || p === '') return 'empty name';
  if (p.includes('\0') || p.includes('\\')) return 'a NUL or backslash in the name';
  const abs = p.startsWith('/');
  if (abs && !allowAbsolute) return 'an absolute name';
  const segs = (abs ? p.slice(1) : p).split('/');
  for (const s of segs) {
    if (s === '..') return "a '..' segment";
    if (s === '' || s === '.') return "an empty or '.' segment";
  }
  return undefined;
}

/** Archive entries for checkpoints outside the working directory live under this name. */
export const OUTSIDE_ROOT = '__outside__';

/** The name a manifest path gets inside the archive: never absolute, never '..'. */
export function archiveName(p: string): string {
  return p.startsWith('/') ? `${OUTSIDE_ROOT}${p}` : p;
}

/** The absolute destination of a manifest path. */
export function destination(cwd: string, p: string): string {
  return p.startsWith('/') ? p : path.join(cwd, ...p.split('/'));
}

/** All ancestors of a '/'-separated path, nearest last: 'a/b/c' gives ['a', 'a/b']. */
export function ancestors(p: string): string[] {
  const out: string[] = [];
  let i = p.indexOf('/', 1);
  while (i > 0) {
    out.push(p.slice(0, i));
    i = p.indexOf('/', i + 1);
  }
  return out;
}
