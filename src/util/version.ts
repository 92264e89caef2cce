/** nslab's own version, from its package.json (the same file in a checkout and in the package). */
import { readFileSync } from "node:fs";

let cached: string | undefined;

/** The version of this nslab (`0.1.0`); `unknown` when its package.json cannot be read. */
export function nslabVersion(): string {
  if (cached === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
        version?: string;
      };
      cached = pkg.version ?? "unknown";
    } catch {
      cached = "unknown";
    }
  }
  return cached;
}
