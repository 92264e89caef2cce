// Rewrites dist/sources/nslab/types.d.ts after `tsc`: the public spec types (TopologySpec, NodeSpec, …) are
// inferred from the zod schema in the source, so a field added to the schema is typed at once; in
// the published declarations they are written out as plain object types, so the package's public
// types never mention zod. Fails the build if a type cannot be written out.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "src", "sources", "nslab", "types.ts");
const target = join(root, "dist", "sources", "nslab", "types.d.ts");

const config = ts.getParsedCommandLineOfConfigFile(
  join(root, "tsconfig.build.json"),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  },
);
const program = ts.createProgram([source], { ...config.options, noEmit: true });
const checker = program.getTypeChecker();
const file = program.getSourceFile(source);
const text = readFileSync(source, "utf8");
const flags =
  ts.NodeBuilderFlags.NoTruncation |
  ts.NodeBuilderFlags.InTypeAlias |
  ts.NodeBuilderFlags.MultilineObjectLiterals;
const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
/** Named types a written-out type may use (global ones); anything else would dangle in the .d.ts. */
const GLOBAL_TYPES = new Set(["Record", "Array", "ReadonlyArray", "Partial", "Readonly"]);

function namedTypes(node, out = []) {
  if (ts.isTypeReferenceNode(node)) out.push(node.typeName.getText?.() ?? node.typeName.escapedText);
  ts.forEachChild(node, (child) => namedTypes(child, out));
  return out;
}

const out = [
  "/**",
  " * The public names of the topology format's types. Generated from the schema by",
  " * scripts/spec-types.mjs at build time: plain types, the same as the source infers.",
  " */",
];
for (const statement of file.statements) {
  if (!ts.isTypeAliasDeclaration(statement)) continue;
  const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  if (!exported) continue;
  const name = statement.name.text;
  const node = checker.typeToTypeNode(checker.getTypeAtLocation(statement.name), statement, flags);
  const written = node ? printer.printNode(ts.EmitHint.Unspecified, node, file) : "...";
  const foreign = node ? namedTypes(node).filter((n) => !GLOBAL_TYPES.has(String(n))) : [];
  if (foreign.length > 0 || /\bimport\(|\bz\.|\$Zod|\bZod[A-Z]/.test(written) || written.includes("..."))
    throw new Error(
      `spec-types: ${name} cannot be written out as a plain type (${foreign.join(", ")}): ${written}`,
    );
  const docs = ts
    .getLeadingCommentRanges(text, statement.getFullStart())
    ?.map((r) => text.slice(r.pos, r.end))
    .filter((c) => c.startsWith("/**"));
  out.push("", ...(docs ?? []), `export type ${name} = ${written};`);
}
writeFileSync(target, `${out.join("\n")}\n`);
