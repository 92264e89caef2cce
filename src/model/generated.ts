/**
 * Generated Mininet-style topologies, resolved like files. The generator's output is the raw spec
 * by construction (its type is the schema's; a unit test runs every family through
 * `topologyFromObject`), so the structural schema pass (zod, and YAML) is not loaded for it: a
 * generated lab starts ~100 ms sooner. Everything that can go wrong with a generated lab — names
 * with a prefix against IFNAMSIZ, addresses, the Linux bridge port limit — is still checked by the
 * resolver and the topology rules.
 */
import { type GenerateOptions, generateTopology } from "../sources/mininet/index.js";
import type { RawTopology } from "../sources/nslab/schema.js";
import { pathOnly } from "../sources/source.js";
import { defaultLogger, type Logger } from "../util/logger.js";
import { openflowWarnings } from "./openflow.js";
import { type ResolveOptions, resolveTopology } from "./resolve.js";
import type { Topology } from "./types.js";

/**
 * A generated Mininet-style topology (`single,3`, `linear,4,2`, `tree,depth=2,fanout=3`,
 * `torus,3,3`), resolved and checked; what is worth a warning goes to `log`. `name` defaults to one
 * derived from the spec.
 */
export function generatedTopology(
  spec: string,
  options: Omit<ResolveOptions, "flowsFiles"> & GenerateOptions & { log?: Logger } = {},
): Topology {
  const { prefix, log, ...generate } = options;
  const raw: RawTopology = generateTopology(spec, generate);
  const file = `--topo ${spec}`;
  const t = resolveTopology({ raw, file, locate: pathOnly(file) }, { ...(prefix ? { prefix } : {}) });
  for (const w of openflowWarnings(t)) (log ?? defaultLogger())("warn", w.message);
  return t;
}
