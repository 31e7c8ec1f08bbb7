import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_ROWS, exitTable } from '../src/exit-codes.js';
import { EXIT as supervise } from '../src/supervise/outcome.js';
import { EXIT_LIST_FAILED, EXIT_STAGE_IN_FAILED, EXIT_STAGE_OUT_FAILED, EXIT_USAGE } from '../src/transfer/index.js';
import { EXIT_BAD_RECORD, EXIT_WRITE_FAILED } from '../src/show/index.js';

describe('the exit-code table', () => {
  it('is the README exit-code table', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = /<!-- exit-codes[^>]*-->\n([\s\S]*?)\n<!-- \/exit-codes -->/.exec(readme)?.[1];
    expect(block, 'README.md has an <!-- exit-codes --> block').toBeDefined();
    expect(block).toBe(exitTable());
  });

  it('every named code is documented by a row, and the other modules use the same codes', () => {
    const documented = new Set(EXIT_ROWS.map((r) => r.code));
    expect(Object.entries(EXIT).filter(([, c]) => !documented.has(String(c)))).toEqual([]);
    expect(supervise).toBe(EXIT);
    expect([EXIT_LIST_FAILED, EXIT_STAGE_IN_FAILED, EXIT_STAGE_OUT_FAILED, EXIT_USAGE, EXIT_BAD_RECORD, EXIT_WRITE_FAILED]).toEqual([1, 20, 21, 127, 2, 3]);
  });
});
