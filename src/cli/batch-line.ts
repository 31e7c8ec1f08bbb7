import { CommanderError } from 'commander';
import { basename } from 'node:path';
import type { BatchLine } from '../supervise/batch.js';
import { UsageError } from './errors.js';
import { parseRunArgs, type RunArgs } from './run-options.js';
import { shellWords } from './shell-words.js';

/**
 * One line of a batch file as a kickstart command line. A leading word
 * naming kickstart itself (`kickstart`, `/opt/bin/pegasus-kickstart`) is
 * dropped, so a pegasus-cluster input whose lines call pegasus-kickstart
 * runs as it is. Blank lines and # comments run nothing.
 */
export function parseBatchLine(text: string, line: number): Exclude<BatchLine, { kind: 'task' }> | { line: number; kind: 'args'; args: RunArgs; app: string } {
  const split = shellWords(text);
  if (!split.ok) return { line, kind: 'bad', problem: split.problem, app: '?' };
  let words = split.words;
  if (words.length === 0) return { line, kind: 'blank' };
  if (/kickstart$/.test(basename(words[0]!))) words = words.slice(1);
  try {
    const args = parseRunArgs(words);
    return { line, kind: 'args', args, app: args.options.argv[0] ?? '?' };
  } catch (e) {
    if (e instanceof CommanderError || e instanceof UsageError) {
      return { line, kind: 'bad', problem: e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '), app: words.find((w) => !w.startsWith('-')) ?? '?' };
    }
    throw e;
  }
}
