/**
 * Mininet's `--topo` argument (`single,3`, `linear,4,2`, `tree,depth=2,fanout=3`, `torus,3,3`) →
 * a checked topology spec. Positional and `name=value` parameters are both accepted, as in `mn`.
 */
import { NslabError } from "../../errors.js";

/** A generated topology family and its parameters (Mininet's names and defaults). */
export type TopoSpec =
  | { topo: "single"; k: number }
  | { topo: "linear"; k: number; n: number }
  | { topo: "tree"; depth: number; fanout: number }
  | { topo: "torus"; x: number; y: number; n: number };

/** Parameter names of each family, in positional order, with Mininet's defaults. */
const PARAMS: Record<TopoSpec["topo"], readonly (readonly [string, number | undefined])[]> = {
  single: [["k", 2]],
  linear: [
    ["k", 2],
    ["n", 1],
  ],
  tree: [
    ["depth", 1],
    ["fanout", 2],
  ],
  torus: [
    ["x", undefined],
    ["y", undefined],
    ["n", 1],
  ],
};

/** Largest number of hosts a generator makes (addresses come from 10.0.0.0/8). */
export const MAX_GENERATED_HOSTS = 100_000;

const USAGE = "e.g. single,3 | linear,4 | linear,4,2 | tree,depth=2,fanout=3 | tree,2,3 | torus,3,3";

function usage(message: string): NslabError {
  return new NslabError("E_USAGE", `--topo: ${message}`, { hint: `topologies as in Mininet: ${USAGE}` });
}

/** Parse a `--topo` argument. Throws E_USAGE saying what is wrong. */
export function parseTopoSpec(text: string): TopoSpec {
  const [family = "", ...parts] = text.trim().split(",");
  const name = family.trim().toLowerCase();
  if (!Object.hasOwn(PARAMS, name)) {
    throw usage(`unknown topology '${family}'; nslab generates ${Object.keys(PARAMS).join(", ")}`);
  }
  const topo = name as TopoSpec["topo"];
  const params = PARAMS[topo];
  const values = new Map<string, number>();
  let positional = 0;
  for (const raw of parts) {
    const part = raw.trim();
    const eq = part.indexOf("=");
    let key: string;
    let valueText: string;
    if (eq >= 0) {
      key = part.slice(0, eq).trim();
      valueText = part.slice(eq + 1).trim();
      if (!params.some(([p]) => p === key))
        throw usage(
          `${topo} has no parameter '${key}'; its parameters are ${params.map(([p]) => p).join(", ")}`,
        );
    } else {
      const param = params[positional++];
      if (!param) throw usage(`${topo} takes at most ${params.length} parameter(s), got '${text}'`);
      key = param[0];
      valueText = part;
    }
    if (values.has(key)) throw usage(`parameter '${key}' is given twice`);
    if (!/^\d+$/.test(valueText)) throw usage(`${key} must be a whole number, got '${valueText}'`);
    values.set(key, Number(valueText));
  }
  const get = (key: string): number => {
    const v = values.get(key) ?? params.find(([p]) => p === key)?.[1];
    if (v === undefined) throw usage(`${topo} needs ${key} (${topo},${params.map(([p]) => p).join(",")})`);
    return v;
  };
  let spec: TopoSpec;
  switch (topo) {
    case "single":
      spec = { topo, k: get("k") };
      break;
    case "linear":
      spec = { topo, k: get("k"), n: get("n") };
      break;
    case "tree":
      spec = { topo, depth: get("depth"), fanout: get("fanout") };
      break;
    case "torus":
      spec = { topo, x: get("x"), y: get("y"), n: get("n") };
      break;
  }
  checkSpec(spec);
  return spec;
}

/** Refuse specs Mininet refuses or that cannot be addressed. */
function checkSpec(s: TopoSpec): void {
  const atLeast = (key: string, v: number, min: number) => {
    if (v < min) throw usage(`${s.topo}: ${key} must be at least ${min}, got ${v}`);
  };
  switch (s.topo) {
    case "single":
      atLeast("k", s.k, 1);
      break;
    case "linear":
      atLeast("k", s.k, 1);
      atLeast("n", s.n, 1);
      break;
    case "tree":
      atLeast("depth", s.depth, 1);
      atLeast("fanout", s.fanout, 1);
      break;
    case "torus":
      // Mininet: "Please use 3x3 or greater for compatibility with 2.1".
      atLeast("x", s.x, 3);
      atLeast("y", s.y, 3);
      atLeast("n", s.n, 1);
      break;
  }
  const hosts = hostCount(s);
  if (hosts > MAX_GENERATED_HOSTS)
    throw usage(`${formatTopoSpec(s)} has ${hosts} hosts; nslab generates at most ${MAX_GENERATED_HOSTS}`);
}

/** Number of hosts a spec makes (without building it). */
export function hostCount(s: TopoSpec): number {
  switch (s.topo) {
    case "single":
      return s.k;
    case "linear":
      return s.k * s.n;
    case "tree":
      return s.fanout ** s.depth;
    case "torus":
      return s.x * s.y * s.n;
  }
}

/** The spec in Mininet's positional form, e.g. `linear,4,2`. */
export function formatTopoSpec(s: TopoSpec): string {
  switch (s.topo) {
    case "single":
      return `single,${s.k}`;
    case "linear":
      return s.n === 1 ? `linear,${s.k}` : `linear,${s.k},${s.n}`;
    case "tree":
      return `tree,${s.depth},${s.fanout}`;
    case "torus":
      return s.n === 1 ? `torus,${s.x},${s.y}` : `torus,${s.x},${s.y},${s.n}`;
  }
}
