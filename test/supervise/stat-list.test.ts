import { describe, expect, it } from 'vitest';
import { parseStatList } from '../../src/supervise/stat-list.js';

describe('-s/-S @listfile lines', () => {
  it('one [lfn=]file a line; comments, trailing blanks and empty lines ignored', () => {
    expect(parseStatList('a.txt\n# all comment\nlfn=b.dat  \n\n  c d.txt#x\n=odd\n')).toEqual([
      { path: 'a.txt' },
      { lfn: 'lfn', path: 'b.dat' },
      { path: '  c d.txt' },
      { path: '=odd' },
    ]);
  });
  it('an empty list lists nothing', () => expect(parseStatList('')).toEqual([]));
});
