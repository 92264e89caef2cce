/** `nslab schema`: print the topology format's JSON Schema (the one in schema/nslab.schema.json). */
import type { Command } from "@commander-js/extra-typings";

export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description("print the JSON Schema of the topology format (for editors and other tools)")
    .action(async () => {
      const { topologyJsonSchema } = await import("../../sources/nslab/schema.js");
      process.stdout.write(`${JSON.stringify(topologyJsonSchema(), null, 2)}\n`);
    });
}
