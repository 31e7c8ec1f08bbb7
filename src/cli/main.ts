import { CommanderError, type Command } from 'commander';
import { createLogger } from '../log.js';
import { EXIT } from '../exit-codes.js';
import { ExitError, UsageError, quietOutput } from './errors.js';

const SUBCOMMANDS = new Set(['transfer', 'checkpoints', 'show']);

/**
 * The CLI from argv to an exit code. Subcommands (and `batch`) are recognised only as the
 * first word (run an executable of that name as `kickstart -- show`). Only
 * the bin entry turns the code into process.exit.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    if (SUBCOMMANDS.has(argv[0] ?? '')) return await runSubcommand(argv);
    if (argv[0] === 'batch') return await (await import('./commands/batch.js')).batchMain(argv.slice(1));
    const { runMain } = await import('./commands/run.js');
    return await runMain(argv);
  } catch (e) {
    return report(e);
  }
}

async function runSubcommand(argv: string[]): Promise<number> {
  const { Command } = await import('commander');
  const program = new Command('kickstart');
  program.exitOverride();
  quietOutput(program);
  if (argv[0] === 'show') (await import('./commands/show.js')).registerShowCommand(program);
  else (await import('./commands/transfer.js')).registerTransferCommands(program);
  for (const c of program.commands) {
    c.exitOverride();
    quietOutput(c);
  }
  process.exitCode = 0;
  await program.parseAsync(argv, { from: 'user' });
  return Number(process.exitCode ?? 0);
}


/** A usage problem as kickstart's one line and exit code; undefined for anything else. */
export function usageLine(e: unknown): { code: number; line?: string } | undefined {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return { code: 0 };
    // One line: commander puts its "(Did you mean --x?)" hint on a line of its own.
    return { code: EXIT.usage, line: `kickstart: ${e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')}` };
  }
  if (e instanceof UsageError || (e instanceof Error && e.name === 'PlanError')) return { code: EXIT.usage, line: `kickstart: ${e.message}` };
  return undefined;
}

export function report(e: unknown): number {
  const usage = usageLine(e);
  if (usage) {
    if (usage.line) process.stderr.write(`${usage.line}\n`);
    return usage.code;
  }
  if (e instanceof ExitError) {
    if (e.message) process.stderr.write(`kickstart: ${e.message}\n`);
    return e.exitCode;
  }
  const logger = createLogger('error');
  logger.fatal({ err: e }, 'internal error: please report it with this log');
  return EXIT.internal;
}
