import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { EXIT } from '../exit-codes.js';
import type { InvocationRecord } from '../record/types.js';

/** Exit codes of `kickstart show` (README "kickstart show"). */

export const EXIT_BAD_RECORD = EXIT.badRecord;
export const EXIT_WRITE_FAILED = EXIT.pageFailed;

/** A record file kickstart cannot show: one line naming the file and the fix. */
export class ShowError extends Error {
  override name = 'ShowError';
  constructor(message: string, readonly exitCode = EXIT_BAD_RECORD) {
    super(message);
  }
}

/** A part of a record as read from a file: every key optional, all the way down. */
export type Read<T> = T extends (infer U)[] ? Read<U>[] : T extends object ? { [K in keyof T]?: Read<T[K]> } : T;

/**
 * A record as read from a file: the record's own keys and types
 * (record/types.ts), each possibly absent. pegasus-kickstart's records have
 * no kickstart: block and older ones lack newer keys; what a key holds is
 * still checked where it is read (the file may be anyone's).
 */
export type RecordRead = Read<InvocationRecord>;

const HINT = 'give a record file that kickstart -l FILE wrote (YAML, or JSON lines with --format json)';

/**
 * The records of a file, in order: pegasus-kickstart's YAML list (records
 * appended one after another form one list) or kickstart's JSON lines.
 * Pure: `name` only labels the errors.
 */
export function parseRecords(text: string, name: string): RecordRead[] {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '') throw new ShowError(`${name} is empty: ${HINT}`);
  let items: unknown;
  if (body.startsWith('{')) {
    items = body.split('\n').flatMap((line, i) => {
      if (line.trim() === '') return [];
      try {
        return [JSON.parse(line)];
      } catch {
        throw new ShowError(`${name} line ${i + 1} is not JSON: ${HINT}`);
      }
    });
  } else {
    try {
      items = parse(body, { uniqueKeys: false, maxAliasCount: 100 });
    } catch (e) {
      const line = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line;
      throw new ShowError(`${name}${line ? ` line ${line}` : ''} is not YAML: ${HINT}`);
    }
  }
  const list = Array.isArray(items) ? items : [items];
  const records = list.filter(isRecord);
  if (records.length === 0) throw new ShowError(`${name} holds no invocation record: ${HINT}`);
  return records;
}

function isRecord(x: unknown): x is RecordRead {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && (x as RecordRead).invocation === true;
}

export function loadRecords(path: string): RecordRead[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code;
    throw new ShowError(`cannot read ${path}: ${why}; ${HINT}`);
  }
  return parseRecords(text, path);
}
