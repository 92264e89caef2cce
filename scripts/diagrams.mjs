// Draws the diagrams of the documentation (Graphviz in WebAssembly, no system package):
//   - docs/seed-<name>.svg, the three seed experiments (shown in README.md), and their Mermaid text
//     between <!-- diagram:<name> --> and <!-- /diagram --> in docs/diagrams.md;
//   - docs/example-<name>.svg (examples/<name>.yaml) and docs/topo-<spec>.svg (generated labs),
//     shown in docs/diagrams.md.
// Run after `npm run build`: npm run diagrams
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generatedTopology, graphModel, loadTopology, renderSvg, toMermaid } from "../dist/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pagePath = join(root, "docs", "diagrams.md");
let page = readFileSync(pagePath, "utf8");
const written = [];
const svg = async (name, g) => {
  writeFileSync(join(root, "docs", name), await renderSvg(g));
  written.push(`docs/${name}`);
};

for (const seed of ["direct", "bridge", "ovs"]) {
  const g = graphModel(await loadTopology(join(root, "examples", "seed", `${seed}.yaml`)));
  await svg(`seed-${seed}.svg`, g);
  const block = new RegExp(`(<!-- diagram:${seed} -->\\n)[\\s\\S]*?(<!-- /diagram -->)`);
  if (!block.test(page)) throw new Error(`docs/diagrams.md has no <!-- diagram:${seed} --> block`);
  page = page.replace(block, (_m, open, close) => `${open}\`\`\`mermaid\n${toMermaid(g)}\`\`\`\n${close}`);
}
for (const example of ["routed", "vlans", "mixed"])
  await svg(
    `example-${example}.svg`,
    graphModel(await loadTopology(join(root, "examples", `${example}.yaml`))),
  );
for (const spec of ["tree,2,3", "linear,4"])
  await svg(`topo-${spec.replaceAll(",", "-")}.svg`, graphModel(generatedTopology(spec)));

writeFileSync(pagePath, page);
process.stderr.write(`wrote ${written.join(", ")} and the Mermaid blocks of docs/diagrams.md\n`);
