/**
 * The `expect:` section → checked Expectations. Two spellings: the shorthand `h1 -> h3: reachable`
 * (also `h1 -> h3 tcp/80: unreachable`) and the object `{ from, to, tcp?, family?, expect }`. Sources
 * are namespace nodes (optionally `node:iface`); targets are nodes, `node:iface` or addresses. Every
 * problem is reported with its position, unknown names with a suggestion. Runs after addressing, so
 * automatic addresses count.
 */
import type { Problem, SourceLocation } from "../errors.js";
import type { RawExpect } from "../sources/nslab/schema.js";
import { didYouMean } from "../sources/suggest.js";
import { parseAddress } from "./ip.js";
import type { Expectation, ExpectTarget, Node, Topology } from "./types.js";

type Locate = (path: ReadonlyArray<string | number>, options?: { key?: boolean }) => SourceLocation;

const SHORT = /^\s*([^\s>]+)\s*->\s*([^\s]+?)(?:\s+tcp[/ ](\d+))?\s*$/;

/** Resolve every expectation of the file; the ones with problems are left out. */
export function resolveExpectations(
  raw: readonly RawExpect[],
  t: Topology,
  locate: Locate,
): { expectations: Expectation[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const expectations: Expectation[] = [];
  const nodes = new Map(t.nodes.map((n) => [n.name, n]));
  raw.forEach((item, i) => {
    const path = ["expect", i];
    const fail = (message: string, location: SourceLocation, hint?: string) =>
      problems.push({ message, location, ...(hint ? { hint } : {}) });
    let from: string;
    let to: string;
    let tcp: number | undefined;
    let family: 4 | 6 | undefined;
    let outcome: "reachable" | "unreachable";
    let where: SourceLocation;
    if ("expect" in item && typeof item.expect === "string" && "from" in item) {
      const o = item as {
        from: string;
        to: string;
        expect: "reachable" | "unreachable";
        tcp?: number;
        family?: 4 | 6;
      };
      ({ from, to, tcp, family } = o);
      outcome = o.expect;
      where = locate(path);
    } else {
      const entries = Object.entries(item as Record<string, "reachable" | "unreachable">);
      if (entries.length !== 1) {
        fail(
          `write one check per list item, like 'h1 -> h2: reachable' (this item has ${entries.length})`,
          locate(path),
        );
        return;
      }
      const [key, value] = entries[0]!;
      where = locate([...path, key], { key: true });
      const m = key.match(SHORT);
      if (!m) {
        fail(
          `'${key}' is not a check; write 'FROM -> TO: reachable' (or 'FROM -> TO tcp/PORT: …')`,
          where,
          "or use the long form { from: …, to: …, tcp: …, expect: … }",
        );
        return;
      }
      from = m[1]!;
      to = m[2]!;
      if (m[3] !== undefined) {
        tcp = Number(m[3]);
        if (tcp < 1 || tcp > 65535) {
          fail(`TCP port ${m[3]} is out of range 1–65535`, where);
          return;
        }
      }
      outcome = value;
    }

    // The source: a namespace node, optionally one of its interfaces.
    const [fromNode, fromIface, extra] = from.split(":");
    const src = nodes.get(fromNode ?? "");
    if (!src || extra !== undefined) {
      fail(
        `unknown source '${from}': not a node of this lab`,
        where,
        src ? undefined : didYouMean(fromNode ?? from, namespaceNames(t)),
      );
      return;
    }
    if (src.kind !== "netns") {
      fail(
        `source '${fromNode}' is a ${src.kind} in the root namespace; checks run from namespace nodes`,
        where,
      );
      return;
    }
    if (fromIface !== undefined && !src.interfaces.some((x) => x.name === fromIface)) {
      fail(
        `node '${fromNode}' has no interface '${fromIface}'`,
        where,
        didYouMean(
          fromIface,
          src.interfaces.map((x) => x.name),
        ),
      );
      return;
    }

    const target = resolveTarget(to, nodes, t, family);
    if (typeof target === "string") {
      fail(target, where, targetHint(to, t));
      return;
    }
    if (family !== undefined && target.kind === "address" && target.family !== family) {
      fail(`target ${to} is an IPv${target.family} address but the check asks for IPv${family}`, where);
      return;
    }
    const text = `${from} -> ${to}${tcp !== undefined ? ` tcp/${tcp}` : ""}${family ? ` (IPv${family})` : ""}: ${outcome}`;
    expectations.push({
      text,
      from: fromNode!,
      ...(fromIface !== undefined ? { fromIface } : {}),
      to: target,
      probe: tcp !== undefined ? { kind: "tcp", port: tcp } : { kind: "icmp" },
      ...(family !== undefined ? { family } : {}),
      expect: outcome,
      src: where,
    });
  });
  return { expectations, problems };
}

function resolveTarget(
  to: string,
  nodes: Map<string, Node>,
  t: Topology,
  family: 4 | 6 | undefined,
): ExpectTarget | string {
  const addr = parseAddress(to);
  if (typeof addr !== "string") return { kind: "address", address: addr.address, family: addr.family };
  // An IPv6 address contains ':'; anything else with one is node:interface.
  const [node, iface, extra] = to.split(":");
  const n = nodes.get(node ?? "");
  if (!n || extra !== undefined) return `unknown target '${to}': not a node, node:interface or address`;
  if (n.kind !== "netns")
    return `target '${node}' is a ${n.kind}; it has no addresses (target a namespace node or an address)`;
  const ifaces = iface === undefined ? n.interfaces : n.interfaces.filter((x) => x.name === iface);
  if (iface !== undefined && ifaces.length === 0) return `node '${node}' has no interface '${iface}'`;
  const usable = ifaces
    .flatMap((x) => x.addresses)
    .filter((a) => family === undefined || a.family === family);
  if (usable.length === 0)
    return `target '${to}' has no ${family ? `IPv${family} ` : ""}address to check${t.addressing ? "" : " (give it one, or add an addressing pool)"}`;
  return iface === undefined ? { kind: "node", node: node! } : { kind: "iface", node: node!, iface };
}

function targetHint(to: string, t: Topology): string | undefined {
  const node = to.split(":")[0] ?? to;
  if (t.nodes.some((n) => n.name === node)) return undefined;
  return didYouMean(node, namespaceNames(t));
}

function namespaceNames(t: Topology): string[] {
  return t.nodes.filter((n) => n.kind === "netns").map((n) => n.name);
}
