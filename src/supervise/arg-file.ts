import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { PlanError } from './plan-error.js';

/** More than the kernel would pass to exec anyway (ARG_MAX is 2 MiB by default). */
const ARG_FILE_MAX = 4 << 20;

/**
 * -I FILE: more arguments, one a line (a last empty line is no argument).
 * Throws PlanError naming the file and the fix when it cannot be read.
 */
export function argFileLines(file: string, baseCwd: string): string[] {
  let text: string;
  try {
    text = readBounded(resolve(baseCwd, file));
  } catch (e) {
    const why = e instanceof PlanError ? e.message : (e as NodeJS.ErrnoException).code;
    throw new PlanError(`cannot read the argument file ${file} (-I): ${why}; give a readable file, one argument a line`);
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Reads an argument file, refusing endless ones (/dev/zero, a stuck pipe's producer) instead of exhausting memory. */
function readBounded(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(ARG_FILE_MAX + 1);
    let got = 0;
    for (let n = 1; n > 0 && got <= ARG_FILE_MAX; got += n) n = readSync(fd, buf, got, buf.length - got, null);
    if (got > ARG_FILE_MAX) throw new PlanError(`larger than ${ARG_FILE_MAX >> 20} MiB`);
    return buf.toString('utf8', 0, got);
  } finally {
    closeSync(fd);
  }
}
