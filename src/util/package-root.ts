/** Where this nslab's package is: the directory of its own package.json, found once. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | null | undefined;

/**
 * The package's root directory (a checkout's or an installed package's), or null when none is
 * found above this module: the nearest package.json named nslab (dist/bin holds one that only says
 * its files are CommonJS).
 */
export function packageRoot(): string | null {
  if (cached === undefined) cached = findRoot(dirname(fileURLToPath(import.meta.url)));
  return cached;
}

function findRoot(start: string): string | null {
  for (let dir = start; ; ) {
    if (isPackageRoot(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function isPackageRoot(dir: string): boolean {
  try {
    return (
      (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown }).name === "nslab"
    );
  } catch {
    return false;
  }
}
