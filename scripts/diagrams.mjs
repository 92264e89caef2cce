// Draws the seed experiments for the README: docs/seed-<name>.svg (Graphviz in WebAssembly) and
// the Mermaid blocks between <!-- diagram:<name> --> and <!-- /diagram --> in README.md.
// Run after `npm run build`: npm run diagrams
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { graphModel, loadTopology, renderSvg, toMermaid } from "../dist/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const readmePath = join(root, "README.md");
let readme = readFileSync(readmePath, "utf8");
for (const seed of ["direct", "bridge", "ovs"]) {
  const g = graphModel(await loadTopology(join(root, "examples", "seed", `${seed}.yaml`)));
  writeFileSync(join(root, "docs", `seed-${seed}.svg`), await renderSvg(g));
  const block = new RegExp(`(<!-- diagram:${seed} -->\\n)[\\s\\S]*?(<!-- /diagram -->)`);
  if (!block.test(readme)) throw new Error(`README.md has no <!-- diagram:${seed} --> block`);
  readme = readme.replace(
    block,
    (_m, open, close) => `${open}\`\`\`mermaid\n${toMermaid(g)}\`\`\`\n${close}`,
  );
}
writeFileSync(readmePath, readme);
process.stderr.write("wrote docs/seed-{direct,bridge,ovs}.svg and the README's Mermaid blocks\n");
