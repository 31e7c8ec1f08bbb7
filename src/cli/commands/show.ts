import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { attemptView, loadRecords, renderHtml, renderText, ShowError, EXIT_WRITE_FAILED } from '../../show/index.js';
import { addFlags } from '../add-flags.js';
import { ExitError } from '../errors.js';

interface ShowFlags {
  html?: string;
  color?: boolean;
}

/**
 * `kickstart show RECORD [--html FILE]`: a record file for people. Exit 0;
 * 2 when RECORD is missing or not a record; 3 when the page cannot be
 * written; 127 for usage errors.
 */
export function registerShowCommand(program: Command): void {
  const show = program
    .command('show')
    .description('summarise a record file: outcome per attempt, signals, checkpoints, peaks, CPU and memory sparklines')
    .argument('<record>', 'a record file (kickstart -l FILE; YAML or JSON lines, any number of attempts)');
  addFlags(show, 'show').action(async (file: string, flags: ShowFlags) => {
      // `kickstart show x | head` closes the pipe early: that is not an error.
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE') throw e;
      });
      let views;
      try {
        views = loadRecords(file).map((r, i) => attemptView(r, i + 1));
      } catch (e) {
        if (e instanceof ShowError) throw new ExitError(e.exitCode, `show: ${e.message}`);
        throw e;
      }
      if (flags.html !== undefined) {
        try {
          writeFileSync(flags.html, renderHtml(file, views));
        } catch (e) {
          throw new ExitError(EXIT_WRITE_FAILED, `show: cannot write ${flags.html}: ${(e as NodeJS.ErrnoException).code}; give a path in a writable directory`);
        }
        const samples = views.reduce((n, v) => n + (v.series?.t.length ?? 0), 0);
        process.stderr.write(`kickstart show: wrote ${flags.html} (${views.length} attempt${views.length === 1 ? '' : 's'}, ${samples} samples)\n`);
        return;
      }
      const colour = flags.color !== false && process.stdout.isTTY === true && !process.env.NO_COLOR;
      // Wait for the pipe to take it all: the CLI exits right after, and would cut a long summary short.
      await new Promise<void>((done) => process.stdout.write(renderText(file, views, { colour, columns: process.stdout.columns ?? 100 }), () => done()));
    });
}
