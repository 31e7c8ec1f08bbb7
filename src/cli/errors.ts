import type { Command } from 'commander';

/** A problem with how kickstart was called: one line, exit 127 (pegasus-kickstart's convention). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Ends a command with a given exit code after it has said what it had to say. */
export class ExitError extends Error {
  override name = 'ExitError';
  constructor(readonly exitCode: number, message = '') {
    super(message);
  }
}

/** Commander's own messages become one kickstart line; help and version go to stdout as usual. */
export function quietOutput(c: Command): void {
  c.configureOutput({ writeErr: () => {}, outputError: () => {} });
}
