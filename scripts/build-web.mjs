// Builds the web view's page: src/web/client → dist/web/assets (one bundled, minified script with
// cytoscape inside, the HTML and the CSS). No CDN: the page loads nothing from elsewhere.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const client = join(root, "src", "web", "client");
const out = join(root, "dist", "web", "assets");

mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(client, "main.ts")],
  outfile: join(out, "app.js"),
  bundle: true,
  minify: true,
  format: "iife",
  platform: "browser",
  target: ["chrome110", "firefox110", "safari16"],
  legalComments: "none",
  sourcemap: false,
  logLevel: "warning",
});
for (const file of ["index.html", "app.css"]) copyFileSync(join(client, file), join(out, file));
