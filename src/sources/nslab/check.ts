/**
 * The nslab format: YAML text, or an object built in code, checked against the schema — every
 * problem at once, each with its place — into the raw topology every source yields. Other formats'
 * adapters produce the same document and are checked here too.
 */
import { NslabError, TopologyError } from "../../errors.js";
import { MAX_FILE_BYTES } from "../read.js";
import { type Locate, pathOnly, type TopologySource } from "../source.js";
import { parseYaml, type YamlSource } from "../yaml.js";
import { acceptTopology } from "./accept.js";
import { checkFully } from "./full-check.js";

/** Check a topology given as YAML text (`file` names it in locations). */
export function nslabFromText(text: string, file = "<string>"): TopologySource {
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) {
    throw new NslabError("E_FILE", `${file}: topology text exceeds ${MAX_FILE_BYTES} bytes`);
  }
  const source = parseYaml(text, file);
  if (source.problems.length > 0) throw new TopologyError(source.problems);
  return checkSchema(source);
}

/**
 * Check a topology built in code: locations carry the field path (and, with `locate`, where in
 * the code that field was written: the topology builder records its call sites).
 */
export function nslabFromObject(
  data: unknown,
  file = "<object>",
  locate: Locate = pathOnly(file),
): TopologySource {
  return checkSchema({ file, data, problems: [], locate });
}

/**
 * Check a document against the schema: the nslab format as written, or what another format's
 * adapter made of its file (its `locate` maps nslab field paths to positions in that file). A
 * document that fits is taken as it is (without zod); one that does not is checked by zod.
 */
export function checkSchema(source: YamlSource): TopologySource {
  const raw = acceptTopology(source.data) as TopologySource["raw"] | undefined;
  if (raw !== undefined) return { raw, file: source.file, locate: source.locate };
  return checkFully(source);
}
