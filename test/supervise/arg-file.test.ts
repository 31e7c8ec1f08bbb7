import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { argFileLines } from '../../src/supervise/arg-file.js';

const { dir } = tempDir('arg-file');

describe('-I FILE', () => {
  it('one argument a line, relative to the base directory; a last empty line is none', () => {
    writeFileSync(join(dir, 'args.txt'), 'a b\n\n--x\n');
    expect(argFileLines('args.txt', dir)).toEqual(['a b', '', '--x']);
    writeFileSync(join(dir, 'no-newline.txt'), 'one');
    expect(argFileLines(join(dir, 'no-newline.txt'), '/')).toEqual(['one']);
  });

  it('an unreadable or endless file is a PlanError naming it and the fix', () => {
    expect(() => argFileLines('missing.txt', dir)).toThrow(/^cannot read the argument file missing.txt \(-I\): ENOENT; give a readable file, one argument a line$/);
    expect(() => argFileLines('/dev/zero', dir)).toThrow(/^cannot read the argument file \/dev\/zero \(-I\): larger than 4 MiB;/);
  });
});
