/** The topology format's JSON Schema for the public API (its declaration does not involve zod). */
import { topologyJsonSchema as generate } from "./schema.js";

/** The JSON Schema of the topology format (draft 2020-12), for editors and other tools. */
export function topologyJsonSchema(): Record<string, unknown> {
  return generate();
}
