/** The committed JSON Schema is exactly what the source schema generates, and it accepts the examples. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { topologyJsonSchema } from "../../../src/sources/nslab/schema.js";

const root = join(import.meta.dirname, "..", "..", "..");

describe("schema/nslab.schema.json", () => {
  it("is in sync with src/sources/nslab/schema.ts (regenerate with: npm run schema)", () => {
    const committed = JSON.parse(readFileSync(join(root, "schema", "nslab.schema.json"), "utf8"));
    expect(committed).toEqual(topologyJsonSchema());
  });

  it("names every top-level field of the examples", () => {
    const props = Object.keys((topologyJsonSchema().properties as Record<string, unknown>) ?? {});
    for (const f of readdirSync(join(root, "examples", "seed"))) {
      const doc = parse(readFileSync(join(root, "examples", "seed", f), "utf8")) as Record<string, unknown>;
      for (const k of Object.keys(doc)) expect(props).toContain(k);
    }
  });
});
