/**
 * What every topology source yields: the raw topology (the nslab format's shape, checked against its
 * schema), where it came from, a way back from any field path to a position in the original file,
 * and what is worth saying without stopping (e.g. what a containerlab import ignored).
 */
import type { Problem, SourceLocation } from "../errors.js";
import type { RawTopology } from "./nslab/schema.js";

/** Maps a field path of the raw topology to a place in the source it came from. */
export type Locate = (path: ReadonlyArray<string | number>, options?: { key?: boolean }) => SourceLocation;

/** A raw topology with where it came from. */
export interface TopologySource {
  raw: RawTopology;
  /** The file name used in messages (as given for files, `<string>`/`<object>`/`--topo …` otherwise). */
  file: string;
  /** Absolute path, when the topology was read from a file. */
  path?: string;
  /** Things worth saying that do not stop the lab (e.g. what an import ignored). */
  warnings?: Problem[];
  locate: Locate;
  /**
   * Problems found already (the schema's): the topology is invalid, but `raw` is the rest of it, the
   * offending parts cut out, so the model's rules still check it and report everything in one pass.
   */
  problems?: Problem[];
  /** Field paths that were cut out of `raw` (the model's findings about them are left out). */
  cut?: ReadonlyArray<ReadonlyArray<string | number>>;
}

/** A locator for topologies without positions (built in code, generated): line 0, the field path. */
export function pathOnly(file: string): Locate {
  return (path) => ({ file, line: 0, column: 0, path });
}
