export type CommandName = 'run' | 'batch' | 'transfer' | 'checkpoints' | 'show';

/**
 * One flag of kickstart: everything about it in one row. The commander
 * options of every command (add-flags.ts), the README's flags table and the
 * argv → options test all come from FLAGS (flags.ts), whose rows are
 * written by subject in flags/*.ts.
 */
export interface Flag {
  /** Commander's spec: '-n, --transformation <name>', '--no-progress'. */
  spec: string;
  /** --help text. */
  help: string;
  /** README text, when it says more than --help. */
  doc?: string;
  /** Environment variable that gives the value when the flag is not on the command line. */
  env?: string;
  /** Turns the text into the value (repeatable flags get the previous value); throws InvalidArgumentError. */
  parse?: (text: string, previous: never) => unknown;
  /** Applied by commander (and shown by --help); other defaults are the library's own. */
  default?: unknown;
  /** The default as the README states it, when it is the library's. */
  shownDefault?: string;
  choices?: readonly string[];
  /** Another flag's long name this one cannot be combined with. */
  conflicts?: string;
  commands: readonly CommandName[];
  /** Key of the command's options object, when it is not commander's camelCase name. */
  to?: string;
  /** Maps commander's value into that key (e.g. --no-machine's false into noMachine: true). */
  into?: (value: never) => unknown;
}

/** Rows shared by several commands. */
export const TRANSFER: readonly CommandName[] = ['run', 'transfer'];
export const SITE: readonly CommandName[] = ['run', 'transfer', 'checkpoints'];
