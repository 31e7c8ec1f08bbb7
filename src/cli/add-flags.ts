import { Option, type Command } from 'commander';
import { attributeName, flagsOf, type CommandName, type Flag } from './flags.js';

/** --help text: the row's help, with the library's default when the row states one. */
export function helpText(f: Flag): string {
  return f.shownDefault !== undefined && !/default/.test(f.help) ? `${f.help} (default ${f.shownDefault})` : f.help;
}

/** Adds the command's rows of the flag table as commander options. */
export function addFlags(c: Command, command: CommandName): Command {
  for (const f of flagsOf(command)) {
    const o = new Option(f.spec, helpText(f));
    if (f.env) o.env(f.env);
    if (f.parse) o.argParser(f.parse as (text: string, previous: unknown) => unknown);
    if (f.default !== undefined) o.default(f.default);
    if (f.choices) o.choices(f.choices);
    if (f.conflicts) o.conflicts(f.conflicts);
    c.addOption(o);
  }
  return c;
}

/**
 * commander's values → the command's options object, by the table: each
 * set value goes to its row's key (`to`, else its camelCase name), through
 * `into` when the row has one; 'site.x' keys fill the staging site options.
 * The one place flags become options: no command copies them field by field.
 */
export function readFlags<T = Record<string, unknown>>(command: CommandName, values: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const f of flagsOf(command)) {
    const v = values[attributeName(f)];
    if (v === undefined) continue;
    const value = f.into ? (f.into as (v: unknown) => unknown)(v) : v;
    const to = f.to ?? attributeName(f);
    if (to.startsWith('site.')) out.site = { ...(out.site as object), [to.slice(5)]: value };
    else out[to] = value;
  }
  return out as T;
}
