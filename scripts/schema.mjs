// `npm run schema`: writes what is generated from the zod schema (src/sources/nslab/schema.ts, built
// into dist/ first): schema/nslab.schema.json, the JSON Schema for editors and other tools, and
// src/sources/nslab/shape.ts, the same schema without its descriptions, which the CLI checks
// topology files against without loading zod (src/sources/nslab/accept.ts). A unit test fails when
// either is out of date.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { topologyJsonSchema } = await import(join(root, "dist", "sources", "nslab", "schema.js"));
const { shapeModule } = await import(join(root, "dist", "sources", "nslab", "shape-source.js"));
const schema = topologyJsonSchema();
writeFileSync(join(root, "schema", "nslab.schema.json"), `${JSON.stringify(schema, null, 2)}\n`);
writeFileSync(join(root, "src", "sources", "nslab", "shape.ts"), shapeModule(schema));
