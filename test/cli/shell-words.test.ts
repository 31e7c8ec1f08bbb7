import { describe, expect, it } from 'vitest';
import { shellWords } from '../../src/cli/shell-words.js';

const words = (s: string) => {
  const r = shellWords(s);
  if (!r.ok) throw new Error(r.problem);
  return r.words;
};

describe('shellWords: POSIX quoting, no expansion', () => {
  it('splits on blanks and tabs', () => {
    expect(words('  -n  tr\t/bin/echo a  b ')).toEqual(['-n', 'tr', '/bin/echo', 'a', 'b']);
  });
  it("single quotes are literal, backslashes and $ included", () => {
    expect(words(`sh -c 'echo "$HOME" \\n'`)).toEqual(['sh', '-c', 'echo "$HOME" \\n']);
  });
  it('double quotes keep blanks; only \\" \\\\ \\$ \\` escape', () => {
    expect(words(`echo "a  b" "q\\"x" "\\$HOME" "\\n"`)).toEqual(['echo', 'a  b', 'q"x', '$HOME', '\\n']);
  });
  it('nothing is expanded: $VAR, globs, ~ stay as written', () => {
    expect(words('echo $HOME * ~ `date`')).toEqual(['echo', '$HOME', '*', '~', '`date`']);
  });
  it('adjacent quoted pieces make one word; empty quotes an empty argument', () => {
    expect(words(`a'b'"c"\\ d '' ""`)).toEqual(['ab' + 'c d', '', '']);
  });
  it('# starts a comment only at the start of a word', () => {
    expect(words('echo a#b # the rest')).toEqual(['echo', 'a#b']);
    expect(words('# all comment')).toEqual([]);
    expect(words('')).toEqual([]);
  });
  it('unterminated quotes and a trailing backslash are problems naming the column', () => {
    expect(shellWords(`echo 'abc`)).toEqual({ ok: false, problem: expect.stringMatching(/unterminated ' quote at column 6/) });
    expect(shellWords(`echo "abc`)).toEqual({ ok: false, problem: expect.stringMatching(/unterminated " quote at column 6/) });
    expect(shellWords('echo a\\')).toMatchObject({ ok: false, problem: expect.stringMatching(/backslash ends the line/) });
  });
});
