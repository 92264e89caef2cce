/**
 * Boxed text tables for the terminal, in time linear in the number of cells: the layout cli-table3
 * drew (a border around every cell, one space of padding, cells of several lines), without its
 * row-span solver, which took 100 s for a lab of 10,000 hosts. Widths ignore ANSI colour codes.
 */

/** What `new Table(...)` takes: the header row (`style` is accepted for cli-table3's signature). */
export interface TableOptions {
  head: string[];
  style?: unknown;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC.
const ANSI = /\u001b\[[0-9;]*m/g;

/** The width of `s` on a terminal: its length without colour codes. */
export function visibleWidth(s: string): number {
  return s.includes("\u001b") ? s.replace(ANSI, "").length : s.length;
}

/** A table: push rows of cells (a cell may hold several lines), then `toString()`. */
export class Table {
  readonly #head: string[];
  readonly #rows: string[][] = [];

  constructor(options: TableOptions) {
    this.#head = options.head;
  }

  /** Add rows (cells past the header's count are dropped, missing ones are blank). */
  push(...rows: string[][]): number {
    for (const r of rows) this.#rows.push(r);
    return this.#rows.length;
  }

  get length(): number {
    return this.#rows.length;
  }

  toString(): string {
    const columns = this.#head.length;
    const split = (row: string[]): string[][] =>
      Array.from({ length: columns }, (_, c) => String(row[c] ?? "").split("\n"));
    const rows = [split(this.#head), ...this.#rows.map(split)];
    const widths = new Array<number>(columns).fill(0);
    for (const row of rows)
      row.forEach((lines, c) => {
        for (const l of lines) widths[c] = Math.max(widths[c]!, visibleWidth(l));
      });
    const rule = (left: string, mid: string, right: string) =>
      `${left}${widths.map((w) => "─".repeat(w + 2)).join(mid)}${right}`;
    const between = rule("├", "┼", "┤");
    const out: string[] = [rule("┌", "┬", "┐")];
    rows.forEach((row, r) => {
      if (r > 0) out.push(between);
      const height = Math.max(...row.map((lines) => lines.length));
      for (let k = 0; k < height; k++)
        out.push(`│${row.map((lines, c) => ` ${pad(lines[k] ?? "", widths[c]!)} `).join("│")}│`);
    });
    out.push(rule("└", "┴", "┘"));
    return out.join("\n");
  }
}

function pad(s: string, width: number): string {
  return s + " ".repeat(width - visibleWidth(s));
}
