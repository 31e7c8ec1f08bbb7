import { resolve } from 'node:path';
import type { Logger } from '../log.js';
import { parseIntegrityData } from '../record/integrity.js';
import { sha256File, statFd, statInfo } from '../record/stat.js';
import type { StatInfo } from '../record/types.js';
import type { StatRequest } from './options.js';
import type { Plan } from './plan.js';
import { readTail, type StdioSlot } from './stdio.js';

/**
 * The record's `files:` entries an attempt produces: -s/-S requests and the
 * stdio slots (with the tail of what the job wrote), as pegasus-kickstart
 * names them.
 */

export function statRequest(s: StatRequest, cwd: string, output: boolean): StatInfo {
  const info: StatInfo = s.error !== undefined ? { error: s.error, file_name: s.path } : statInfo(resolve(cwd, s.path));
  // pegasus-kickstart marks every -s file it could stat as an output, named by an lfn or not.
  const out = output && info.error === undefined ? { output: true } : {};
  return s.lfn !== undefined ? { ...(info.error !== undefined ? { error: info.error } : {}), lfn: s.lfn, ...withoutError(info), ...out } : { ...info, ...out };
}

function withoutError(info: StatInfo): StatInfo {
  const { error: _e, ...rest } = info;
  return rest;
}

export async function statRequestAsync(s: StatRequest, cwd: string): Promise<StatInfo> {
  const info = statRequest(s, cwd, true);
  if (info.error !== undefined) return info;
  const sum = sha256File(resolve(cwd, s.path));
  return sum ? { ...info, sha256: sum.sha256, checksum_timing: sum.seconds } : info;
}

export function fileBlock(slot: StdioSlot, plan: Pick<Plan, 'quiet' | 'tailBytes'>, failed: boolean): StatInfo {
  if (slot.kind === 'inherit') return statFd(slot.fd, { descriptor_number: slot.fd });
  if (slot.kind === 'file') return statInfo(slot.path!);
  const block = statFd(slot.fd, { temporary_name: slot.path ?? '', descriptor: slot.fd });
  if (slot.name === 'stdin') return block;
  const dropData = plan.quiet && !failed && slot.name !== 'metadata';
  if ((block.size ?? 0) > 0 && !dropData) {
    const tail = readTail(slot.fd, slot.name === 'metadata' ? 'all' : plan.tailBytes);
    block.data_truncated = tail.truncated;
    block.data = tail.data;
  }
  return block;
}

/** What tools wrote to KICKSTART_INTEGRITY_DATA, as files: entries. */
export async function integrityEntries(slot: StdioSlot | undefined, logger: Logger): Promise<Record<string, StatInfo>> {
  if (!slot) return {};
  const text = readTail(slot.fd, 'all').data;
  const parsed = await parseIntegrityData(text);
  if (parsed.problem) logger.warn(`KICKSTART_INTEGRITY_DATA: ${parsed.problem}; those entries are left out of files:`);
  return parsed.entries;
}
