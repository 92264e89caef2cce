/**
 * The one way in for topology files: read once (a regular file, size-capped), detect the format
 * from the name and that one text, hand it to the format's adapter (nslab YAML, containerlab), and
 * get the same checked raw topology with positions back. YAML text and objects built in code come
 * in through the nslab adapter; generated (`--topo`) topologies through `sources/mininet`, which
 * is kept apart so a generated lab loads neither the YAML parser nor the schema library.
 */
import { resolve as resolvePath } from "node:path";
import { convertClabText } from "./clab/index.js";
import { detectFormat } from "./detect.js";
import { nslabFromText } from "./nslab/check.js";
import { displayName, readTopologyFile, STDIN } from "./read.js";
import type { TopologySource } from "./source.js";

export { nslabFromObject as sourceFromObject, nslabFromText as sourceFromText } from "./nslab/check.js";
export type { TopologySource } from "./source.js";

/** Read the topology file at `path` (any known format). Throws E_FILE or a TopologyError. */
export async function readSource(path: string): Promise<TopologySource> {
  return sourceFromFile(path, await readTopologyFile(path));
}

/** The topology in `text`, the contents of the file `path` (read already: see read.ts). */
export function sourceFromFile(path: string, text: string): TopologySource {
  const file = displayName(path);
  const absolute = path === STDIN ? undefined : resolvePath(path);
  if (detectFormat(path, text) === "clab") return convertClabText(text, file, absolute).spec;
  const source = nslabFromText(text, file);
  return absolute ? { ...source, path: absolute } : source;
}
