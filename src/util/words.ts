/**
 * Splitting a command line into words as a POSIX shell would, without running one: single quotes
 * keep everything, double quotes keep everything but `\"`, `\\`, `\$` and `` \` `` escapes, a
 * backslash outside quotes keeps the next character. Nothing is expanded: `$HOME`, `*` and `|` stay
 * as written (what containerlab does with `exec:` lines, and FRR's daemons file with its values).
 */

/** The words of `line`, or an error message when a quote is not closed. */
export function shellWords(line: string): string[] | { error: string } {
  const out: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { error: "a single quote is not closed" };
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === "\\" && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        word += line[j];
      }
      if (j >= line.length) return { error: "a double quote is not closed" };
      inWord = true;
      i = j;
    } else if (c === "\\") {
      if (i + 1 < line.length) word += line[++i];
      inWord = true;
    } else if (c === " " || c === "\t" || c === "\n") {
      if (inWord) out.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) out.push(word);
  return out;
}
