/**
 * Test results as JUnit XML (what CI systems show as a test report): one suite for the file's
 * expectations and one for the subnet ping matrix, one test case per check, a <failure> for each
 * check whose outcome was not the expected one. Pure.
 */
import type { CheckResult } from "./checks.js";

/** The report of `nslab test` for lab `lab` as a JUnit XML document. */
export function renderJunit(
  lab: string,
  results: readonly CheckResult[],
  options: { timestamp?: string; durationMs?: number } = {},
): string {
  const groups: [string, CheckResult[]][] = [
    ["expect", results.filter((r) => r.group === "expect")],
    ["ping matrix", results.filter((r) => r.group === "ping")],
  ];
  const failures = results.filter((r) => !r.ok).length;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="nslab test ${attr(lab)}" tests="${results.length}" failures="${failures}" errors="0" time="${seconds(options.durationMs ?? sum(results))}">`,
  ];
  for (const [name, list] of groups) {
    if (list.length === 0) continue;
    out.push(
      `  <testsuite name="${attr(`${lab}: ${name}`)}" tests="${list.length}" failures="${list.filter((r) => !r.ok).length}" errors="0" skipped="0" time="${seconds(sum(list))}"${options.timestamp ? ` timestamp="${attr(options.timestamp)}"` : ""}>`,
    );
    for (const r of list) {
      const open = `    <testcase classname="${attr(`nslab.${lab}.${r.group}`)}" name="${attr(r.name)}" time="${seconds(r.durationMs)}"`;
      if (r.ok) {
        out.push(`${open}>`, `      <system-out>${text(r.detail)}</system-out>`, "    </testcase>");
        continue;
      }
      const message = `expected ${r.expect}, but it is ${r.reachable ? "reachable" : "unreachable"}`;
      out.push(
        `${open}>`,
        `      <failure message="${attr(message)}" type="${r.expect === "reachable" ? "Unreachable" : "Reachable"}">${text(
          `${r.name}\n${message}: ${r.detail}${r.where ? `\nat ${r.where}` : ""}`,
        )}</failure>`,
        "    </testcase>",
      );
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}

function sum(list: readonly CheckResult[]): number {
  return list.reduce((n, r) => n + r.durationMs, 0);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function text(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "").replace(/[&<>]/g, (c) => ENTITIES[c]!);
}

function attr(s: string): string {
  return text(s).replace(/["\n\t]/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\n": "&#10;",
  "\t": "&#9;",
};
