import { describe, expect, it } from "vitest";
import { Table, visibleWidth } from "../../../src/cli/table.js";

describe("cli table", () => {
  it("draws what cli-table3 drew: borders, padding, cells of several lines, colour codes not counted", () => {
    const t = new Table({ head: ["node", "from \\\nto", "addresses"], style: { head: [], border: [] } });
    t.push(["h1", "", "10.0.0.1/8\nfd00::1/64 \u001b[2m(auto)\u001b[22m"]);
    t.push(["\u001b[31mrouter-long\u001b[39m", "x", ""]);
    // The exact string cli-table3 0.6.5 printed for the same table.
    expect(t.toString()).toBe(
      "┌─────────────┬────────┬───────────────────┐\n│ node        │ from \\ │ addresses         │\n│             │ to     │                   │\n├─────────────┼────────┼───────────────────┤\n│ h1          │        │ 10.0.0.1/8        │\n│             │        │ fd00::1/64 \u001b[2m(auto)\u001b[22m │\n├─────────────┼────────┼───────────────────┤\n│ \u001b[31mrouter-long\u001b[39m │ x      │                   │\n└─────────────┴────────┴───────────────────┘",
    );
  });

  it("renders 20,000 rows, of one and two lines", () => {
    const t = new Table({ head: ["a", "b"] });
    for (let i = 0; i < 20_000; i++) t.push([`h${i}`, i % 2 ? "x\ny" : "z"]);
    const lines = t.toString().split("\n");
    // top + head + (separator + rows) + bottom: each row is 1 or 2 lines.
    expect(lines.length).toBe(1 + 1 + 20_000 + 10_000 + 20_000 + 1);
    expect(lines.at(-2)).toBe(`│        │ y │`);
  });

  it("measures width without ANSI colour codes", () => {
    expect(visibleWidth("\u001b[32mUP\u001b[39m")).toBe(2);
    expect(visibleWidth("plain")).toBe(5);
  });
});
