/**
 * Splits one line into words the way a POSIX shell quotes them, without any
 * expansion: no $VAR, no globs, no `cmd`, no ~. A batch file is data, not a
 * script, so a task line means the same on every machine and in every
 * environment; a task that needs a shell says `sh -c '...'`.
 *
 * Quoting: '...' is literal; "..." is literal except \" \\ \$ \` and
 * \newline; a backslash outside quotes makes the next character literal.
 * An unquoted # at the start of a word begins a comment.
 */
export type Words = { ok: true; words: string[] } | { ok: false; problem: string };

export function shellWords(line: string): Words {
  const words: string[] = [];
  let word = '';
  // A word exists once any character or quote was seen: '' is an empty argument.
  let inWord = false;
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { ok: false, problem: `unterminated ' quote at column ${i + 1}: close it with another '` };
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= n) return { ok: false, problem: `unterminated " quote at column ${i + 1}: close it with another "` };
        const d = line[j]!;
        if (d === '"') break;
        if (d === '\\' && j + 1 < n && '"\\$`\n'.includes(line[j + 1]!)) {
          if (line[j + 1] !== '\n') word += line[j + 1];
          j += 2;
        } else {
          word += d;
          j++;
        }
      }
      inWord = true;
      i = j + 1;
    } else if (c === '\\') {
      if (i + 1 >= n) return { ok: false, problem: 'a backslash ends the line: remove it or quote it as \'\\\'' };
      if (line[i + 1] !== '\n') {
        word += line[i + 1];
        inWord = true;
      }
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return { ok: true, words };
}
