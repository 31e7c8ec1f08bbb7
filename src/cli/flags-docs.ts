import { FLAGS, type Flag } from './flags.js';

/** `-n, --transformation NAME`: the spec as the README writes it. */
function flagCell(f: Flag): string {
  const spec = f.choices && f.choices.length <= 3 ? f.spec.replace(/<[^>]+>/, f.choices.join('\\|')) : f.spec.replace(/<([^>]+)>/, (_, v: string) => v.toUpperCase());
  return `\`${spec}\``;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The README's flags table: one line per row of FLAGS (test/cli/flags.test.ts keeps the README equal to it). */
export function flagsTable(): string {
  const lines = ['| flag | commands | env | default | meaning |', '|---|---|---|---|---|'];
  for (const f of FLAGS) {
    const shown = f.shownDefault ?? (f.default !== undefined ? String(f.default) : '');
    lines.push(`| ${flagCell(f)} | ${f.commands.join(', ')} | ${f.env ? `\`${f.env}\`` : ''} | ${shown ? `\`${shown}\`` : ''} | ${cell(f.doc ?? f.help)} |`);
  }
  return lines.join('\n');
}
