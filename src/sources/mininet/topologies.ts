/**
 * Mininet's topology families, built the way mininet/topo.py and mininet/topolib.py build them:
 * the same node names, the same order of links (so the same port numbers on every switch).
 */
import { TopoGraph } from "./graph.js";
import type { TopoSpec } from "./topo.js";

/** Build the graph of a spec. */
export function buildGraph(spec: TopoSpec): TopoGraph {
  const g = new TopoGraph();
  switch (spec.topo) {
    case "single":
      single(g, spec.k);
      break;
    case "linear":
      linear(g, spec.k, spec.n);
      break;
    case "tree":
      tree(g, spec.depth, spec.fanout);
      break;
    case "torus":
      torus(g, spec.x, spec.y, spec.n);
      break;
  }
  return g;
}

/** One switch `s1` with hosts `h1…hk`; each host links to the switch. */
function single(g: TopoGraph, k: number): void {
  const s = g.addSwitch("s1");
  for (let h = 1; h <= k; h++) g.addLink(g.addHost(`h${h}`), s);
}

/**
 * Switches `s1…sk` in a chain, `n` hosts on each (`h<i>` for n = 1, else `h<j>s<i>`); each switch
 * gets its hosts first, then links to the previous switch.
 */
function linear(g: TopoGraph, k: number, n: number): void {
  let last: string | undefined;
  for (let i = 1; i <= k; i++) {
    const s = g.addSwitch(`s${i}`);
    for (let j = 1; j <= n; j++) g.addLink(g.addHost(n === 1 ? `h${i}` : `h${j}s${i}`), s);
    if (last) g.addLink(s, last);
    last = s;
  }
}

/** A tree of switches, depth first: each switch links to a child after building its subtree. */
function tree(g: TopoGraph, depth: number, fanout: number): void {
  let hostNum = 1;
  let switchNum = 1;
  const add = (d: number): string => {
    if (d === 0) return g.addHost(`h${hostNum++}`);
    const s = g.addSwitch(`s${switchNum++}`);
    for (let c = 0; c < fanout; c++) g.addLink(s, add(d - 1));
    return s;
  };
  add(depth);
}

/**
 * An x-by-y grid of switches `s<i>x<j>` with wrap-around links, `n` hosts on each (`h<i>x<j>`, or
 * `h<i>x<j>x<k>` for n > 1). It has loops: it needs a spanning tree.
 */
function torus(g: TopoGraph, x: number, y: number, n: number): void {
  const sw = (i: number, j: number) => `s${i + 1}x${j + 1}`;
  for (let i = 0; i < x; i++)
    for (let j = 0; j < y; j++) {
      const loc = `${i + 1}x${j + 1}`;
      const s = g.addSwitch(`s${loc}`);
      for (let k = 0; k < n; k++) g.addLink(g.addHost(n === 1 ? `h${loc}` : `h${loc}x${k + 1}`), s);
    }
  for (let i = 0; i < x; i++)
    for (let j = 0; j < y; j++) {
      g.addLink(sw(i, j), sw(i, (j + 1) % y));
      g.addLink(sw(i, j), sw((i + 1) % x, j));
    }
}

/** Whether a spec's switches form loops (and so need a spanning tree). */
export function hasLoops(spec: TopoSpec): boolean {
  return spec.topo === "torus";
}
