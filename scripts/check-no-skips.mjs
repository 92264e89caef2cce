#!/usr/bin/env node
// In CI every test must run: fail when vitest's JSON report shows a skipped or pending test
// (e.g. real-kernel tests skipped because the run was not root).
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? "test-results/vitest.json";
const report = JSON.parse(readFileSync(file, "utf8"));
const skipped = report.testResults.flatMap((f) =>
  f.assertionResults
    .filter((t) => t.status !== "passed" && t.status !== "failed")
    .map((t) => `${f.name}: ${t.fullName} (${t.status})`),
);
if (skipped.length > 0) {
  console.error(`${skipped.length} test(s) did not run:\n  ${skipped.join("\n  ")}`);
  process.exit(1);
}
console.error(`all ${report.numTotalTests} tests ran`);
