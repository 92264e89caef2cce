/**
 * The page's files (HTML, the bundled script, CSS), built into dist/web/assets by
 * scripts/build-web.mjs and served from memory. Never from a CDN.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One file of the page. */
export interface Asset {
  type: string;
  body: string;
}

const TYPES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
};

/** Where the built page is: beside this module in dist/, or dist/ from the sources (tests). */
export function assetsDir(): string | undefined {
  const here = import.meta.dirname;
  return [join(here, "assets"), join(here, "..", "..", "dist", "web", "assets")].find((d) =>
    existsSync(join(d, "index.html")),
  );
}

/** Every file of the page by name, or undefined when the page has not been built. */
export function loadAssets(dir = assetsDir()): Map<string, Asset> | undefined {
  if (!dir) return undefined;
  const out = new Map<string, Asset>();
  for (const [name, type] of Object.entries(TYPES)) {
    const file = join(dir, name);
    if (existsSync(file)) out.set(name, { type, body: readFileSync(file, "utf8") });
  }
  return out;
}
