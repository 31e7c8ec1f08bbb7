import type { CommandName, Flag } from './flag.js';
import { DEADLINE_FLAGS } from './flags/deadlines.js';
import { MORE_FLAGS } from './flags/more.js';
import { PEGASUS_FLAGS } from './flags/pegasus.js';
import { TRANSFER_FLAGS } from './flags/transfer.js';

export type { CommandName, Flag } from './flag.js';

/** Every flag of kickstart, in --help and README order: one row each (see Flag in flag.ts). */
export const FLAGS: readonly Flag[] = [...PEGASUS_FLAGS, ...DEADLINE_FLAGS, ...TRANSFER_FLAGS, ...MORE_FLAGS];

/** '--no-machine' → 'machine', '--job-id' → 'jobId': the key commander stores the value under. */
export function attributeName(f: Flag): string {
  // A short-only flag (-z, -F) is commander's attribute of its letter.
  const long = /--([a-z0-9-]+)/.exec(f.spec)?.[1] ?? /^-([a-zA-Z])$/.exec(f.spec)?.[1] ?? '';
  return long.replace(/^no-/, '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function flagsOf(command: CommandName): Flag[] {
  return FLAGS.filter((f) => f.commands.includes(command));
}
