/**
 * Generated Mininet-style topologies, resolved like files. The generator's output is the raw spec
 * by construction (its type is the schema's; a unit test runs every family through
 * `topologyFromObject`), so the structural schema pass (zod, and YAML) is not loaded for it: a
 * generated lab starts ~100 ms sooner. Everything that can go wrong with a generated lab — names
 * with a prefix against IFNAMSIZ, addresses, the Linux bridge port limit — is still checked by the
 * resolver and the topology rules.
 */
import { generateTopology, type SwitchKind } from "../sources/mininet/index.js";
import type { RawTopology } from "../sources/nslab/schema.js";
import { pathOnly } from "../sources/source.js";
import { type ResolveOptions, resolveTopology } from "./resolve.js";
import type { Topology } from "./types.js";

/**
 * A generated Mininet-style topology (`single,3`, `linear,4,2`, `tree,depth=2,fanout=3`,
 * `torus,3,3`), resolved and checked. `name` defaults to one derived from the spec.
 */
export function generatedTopology(
  spec: string,
  options: ResolveOptions & { switch?: SwitchKind; ipv6?: boolean; nat?: string } = {},
): Topology {
  const raw: RawTopology = generateTopology(spec, {
    ...(options.switch ? { switch: options.switch } : {}),
    ...(options.ipv6 ? { ipv6: true } : {}),
    ...(options.nat !== undefined ? { nat: options.nat } : {}),
    ...(options.name ? { name: options.name } : {}),
  });
  const file = `--topo ${spec}`;
  return resolveTopology(
    { raw, file, locate: pathOnly(file) },
    { ...(options.prefix ? { prefix: options.prefix } : {}) },
  );
}
