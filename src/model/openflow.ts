/**
 * OpenFlow on Open vSwitch bridges, resolved: controllers, fail mode, versions, the datapath ID
 * (written, or derived from the name as Mininet does: s1 → 1), flows (written, or read from a flows
 * file with a location per line), and the OpenFlow number of every port (its link's rank on the
 * bridge, as Mininet numbers s1-eth1 port 1). What each flow means is OVS's to say: its own parser
 * checks them before `up` (engine/flows.ts). Pure.
 */
import type { Problem, SourceLocation } from "../errors.js";
import type { OvsBridgeNodeSpec } from "../sources/nslab/types.js";
import { parseAddress } from "./ip.js";
import type { Flow, OpenFlowSettings, OpenFlowVersion, OvsBridgeNode, Topology } from "./types.js";

/** A flows file named in a topology, read (or not) by whoever read the topology. */
export type FlowsFile = { path: string; text: string } | { path: string; error: string };

/** Flows files by the name written in the topology. */
export type FlowsFiles = ReadonlyMap<string, FlowsFile>;

/** The word for the controller nslab runs for a lab (Mininet's `--controller default`). */
export const DEFAULT_CONTROLLER = "default";

/** The port OpenFlow controllers listen on by default (IANA; Mininet's default too). */
export const OPENFLOW_PORT = 6653;

/** OpenFlow port numbers a switch port may have (OFPP_MAX is 0xff00). */
export const OFPORT_MAX = 0xfeff;

type At = (path: ReadonlyArray<string | number>, key?: boolean) => SourceLocation;

/** The flows files a raw topology names (the `flows:` fields written as a string). */
export function flowsFileNames(raw: { nodes: Record<string, unknown> }): string[] {
  const out: string[] = [];
  for (const node of Object.values(raw.nodes)) {
    const n = node as { kind?: unknown; flows?: unknown } | null;
    if (n?.kind === "ovs-bridge" && typeof n.flows === "string") out.push(n.flows);
  }
  return out;
}

/** The OpenFlow settings of bridge `name`, or undefined for a plain learning switch. */
export function resolveOpenFlow(
  name: string,
  raw: OvsBridgeNodeSpec,
  path: ReadonlyArray<string | number>,
  at: At,
  files: FlowsFiles | undefined,
  problems: Problem[],
): OpenFlowSettings | undefined {
  const fail = (message: string, where: SourceLocation, hint?: string) =>
    problems.push({ message, location: where, ...(hint ? { hint } : {}) });
  const controllers: string[] = [];
  const written = raw.controller === undefined ? [] : [raw.controller].flat();
  written.forEach((c, i) => {
    const where = at(Array.isArray(raw.controller) ? [...path, "controller", i] : [...path, "controller"]);
    const problem = controllerProblem(c);
    if (problem) fail(problem.message, where, problem.hint);
    else if (controllers.includes(c)) fail(`controller '${c}' is listed twice`, where);
    else controllers.push(c);
  });
  const protocols = [...new Set(raw.protocols === undefined ? [] : [raw.protocols].flat())];
  const flows = resolveFlows(raw.flows, [...path, "flows"], at, files, fail);
  const dpid =
    raw.dpid !== undefined ? writtenDpid(raw.dpid, at([...path, "dpid"]), fail) : derivedDpid(name);
  const anything =
    controllers.length > 0 ||
    raw["fail-mode"] !== undefined ||
    protocols.length > 0 ||
    dpid !== undefined ||
    flows.length > 0;
  if (!anything) return undefined;
  return {
    controllers,
    failMode: raw["fail-mode"] ?? (controllers.length > 0 || flows.length > 0 ? "secure" : "standalone"),
    protocols: protocols as OpenFlowVersion[],
    ...(dpid !== undefined ? { dpid } : {}),
    flows,
  };
}

/** What is wrong with a controller target, if anything. */
export function controllerProblem(text: string): { message: string; hint?: string } | undefined {
  if (text === DEFAULT_CONTROLLER) return undefined;
  const hint = `write tcp:IP[:PORT], ssl:IP[:PORT], unix:/PATH or '${DEFAULT_CONTROLLER}', e.g. tcp:127.0.0.1:${OPENFLOW_PORT}`;
  const m = /^(tcp|ssl|unix):(.*)$/.exec(text);
  if (!m) return { message: `'${text}' is not a controller target`, hint };
  const [, method, rest] = m as unknown as [string, string, string];
  if (method === "unix") {
    if (!rest.startsWith("/"))
      return { message: `controller '${text}': the socket path must be absolute`, hint };
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters
    if (/[\u0000-\u001f\u007f]/.test(rest) || Buffer.byteLength(rest) > 107)
      return { message: `controller '${text}': not a usable unix socket path (at most 107 bytes)` };
    return undefined;
  }
  // tcp:IP[:PORT] (IPv6 in brackets: tcp:[::1]:6653), as OVS takes them: an address, not a name.
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  const v4 = /^([^:[\]]+)(?::(\d+))?$/.exec(rest);
  const parts = v6 ?? v4;
  if (!parts) return { message: `controller '${text}' is not ${method}:IP[:PORT]`, hint };
  const address = parseAddress(parts[1]!);
  if (typeof address === "string" || (v6 ? address.family !== 6 : address.family !== 4))
    return {
      message: `controller '${text}': '${parts[1]}' is not an IP address (OVS connects to addresses, not host names)`,
      hint,
    };
  if (parts[2] !== undefined) {
    const port = Number(parts[2]);
    if (!(port >= 1 && port <= 65535))
      return { message: `controller '${text}': port ${parts[2]} is not between 1 and 65535`, hint };
  }
  return undefined;
}

/** A written datapath ID: hex (colons allowed), at most 16 digits, not zero → 16 lower-case digits. */
function writtenDpid(
  text: string,
  where: SourceLocation,
  fail: (m: string, w: SourceLocation, h?: string) => void,
): string | undefined {
  const hex = text.replaceAll(":", "").toLowerCase();
  if (!/^[0-9a-f]{1,16}$/.test(hex)) {
    fail(
      `dpid '${text}' is not a datapath ID`,
      where,
      "write up to 16 hex digits, e.g. '0000000000000001' or '00:00:00:00:00:00:00:01'",
    );
    return undefined;
  }
  if (/^0+$/.test(hex)) {
    fail(`dpid '${text}' is zero, which OVS does not accept`, where);
    return undefined;
  }
  return hex.padStart(16, "0");
}

/**
 * The datapath ID Mininet gives a switch without one: the first number in its name, in hex (s1 → 1,
 * s10 → a). None for names without a number (OVS then picks one, from the bridge's MAC address), or
 * whose number is zero or does not fit in 64 bits.
 */
export function derivedDpid(name: string): string | undefined {
  const digits = /\d+/.exec(name)?.[0];
  if (digits === undefined) return undefined;
  const value = BigInt(digits);
  if (value === 0n || value >= 1n << 64n) return undefined;
  return value.toString(16).padStart(16, "0");
}

function resolveFlows(
  raw: string | string[] | undefined,
  path: ReadonlyArray<string | number>,
  at: At,
  files: FlowsFiles | undefined,
  fail: (m: string, w: SourceLocation, h?: string) => void,
): Flow[] {
  if (raw === undefined) return [];
  if (Array.isArray(raw)) {
    const out: Flow[] = [];
    raw.forEach((text, i) => {
      const where = at([...path, i]);
      const flow = stripComment(text);
      if (text.includes("\n")) fail("a flow is one line (one flow per list item)", where);
      else if (flow === "") fail("an empty flow", where, "remove the item");
      else out.push({ text: flow, src: where });
    });
    return out;
  }
  const where = at(path);
  const file = files?.get(raw);
  if (!file) {
    fail(
      `flows file '${raw}' was not read (a topology given as an object or built in code names no files)`,
      where,
      "give the flows as a list",
    );
    return [];
  }
  if ("error" in file) {
    fail(`cannot read flows file '${raw}': ${file.error}`, where, `looked for ${file.path}`);
    return [];
  }
  return flowsFromText(file.path, file.text);
}

/** The flows of a flows file: one a line; `#` starts a comment (as ovs-ofctl reads them); blank lines skipped. */
export function flowsFromText(file: string, text: string): Flow[] {
  const out: Flow[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const flow = stripComment(line);
    if (flow !== "") out.push({ text: flow, src: { file, line: i + 1, column: 1, path: [] } });
  });
  return out;
}

function stripComment(line: string): string {
  const hash = line.indexOf("#");
  return (hash >= 0 ? line.slice(0, hash) : line).trim();
}

/**
 * Give every OVS bridge port its OpenFlow number: as written (`ofport:`), else the rank of its link
 * among the bridge's links in file order (the first link is port 1, as Mininet numbers s1-eth1).
 * Reports numbers used twice on one bridge.
 */
export function numberPorts(t: Topology, problems: Problem[]): void {
  const bridges = new Map<string, OvsBridgeNode>();
  for (const n of t.nodes) if (n.kind === "ovs-bridge") bridges.set(n.name, n);
  if (bridges.size === 0) return;
  const rank = new Map<string, number>();
  for (const link of t.links)
    for (const end of [link.a, link.b]) {
      const b = bridges.get(end.node);
      if (!b) continue;
      const next = (rank.get(b.name) ?? 0) + 1;
      rank.set(b.name, next);
      const iface = b.interfaces.find((i) => i.name === end.iface);
      if (iface && iface.ofport === undefined) iface.ofport = next;
    }
  for (const b of bridges.values()) {
    const seen = new Map<number, string>();
    for (const i of b.interfaces) {
      if (i.ofport === undefined) continue;
      const other = seen.get(i.ofport);
      if (other !== undefined)
        problems.push({
          message: `ports ${other} and ${i.name} of bridge '${b.name}' both have OpenFlow port number ${i.ofport}`,
          location: i.at?.ofport ?? i.src,
          hint: "ports without 'ofport' are numbered by the order of their links (1, 2, …): give the others numbers those do not take",
        });
      else seen.set(i.ofport, i.name);
    }
  }
}

/** How many switches ovs-testcontroller (`controller: default`) serves: its MAX_SWITCHES. */
export const TESTCONTROLLER_MAX_SWITCHES = 16;

/**
 * What is worth a warning in a valid topology's OpenFlow settings: more bridges on the controller
 * nslab runs than ovs-testcontroller accepts (it stops accepting at 16; the rest never connect).
 */
export function openflowWarnings(t: Topology): Problem[] {
  const on = t.nodes.filter(
    (n): n is OvsBridgeNode =>
      n.kind === "ovs-bridge" && !!n.openflow?.controllers.includes(DEFAULT_CONTROLLER),
  );
  if (on.length <= TESTCONTROLLER_MAX_SWITCHES) return [];
  const secure = on.filter((n) => n.openflow?.failMode === "secure").length;
  return [
    {
      message:
        `${on.length} bridges use controller '${DEFAULT_CONTROLLER}' (ovs-testcontroller), which serves at most ` +
        `${TESTCONTROLLER_MAX_SWITCHES} switches: the others never connect` +
        `${secure > 0 ? " and, in secure mode, forward nothing" : ""}; run a controller of your own ` +
        "(os-ken, docs/sdn.md) and give it with controller: tcp:… (--controller remote)",
      location: undefined,
    },
  ];
}
