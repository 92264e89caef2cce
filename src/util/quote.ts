/** Shell quoting for display only: commands are never run through a shell, but users copy them. */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quote one word so that a POSIX shell reads it back unchanged. */
export function shellQuote(word: string): string {
  if (word !== "" && SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** An argv as a copy-pasteable shell command line. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}
