/**
 * Raw spec → Topology: applies defaults, derives kernel names, resolves endpoints, parses
 * addresses, and runs every rule, collecting all problems (with positions) before giving up.
 */
import { dirname } from "node:path";
import { type Problem, type SourceLocation, TopologyError } from "../errors.js";
import { aboutCut } from "../sources/nslab/repair.js";
import type { RawInterface, RawLink, RawTopology } from "../sources/nslab/schema.js";
import type { TopologySource } from "../sources/source.js";
import { didYouMean } from "../sources/suggest.js";
import { ATTACHMENT_RULES } from "./attachment-rules.js";
import { type AttachmentResolver, checkHostSection, resolveAttachment } from "./attachments.js";
import { derive, sortProblems } from "./derive.js";
import { resolveHosts } from "./hosts.js";
import { type Cidr, hostAddressProblem, parseCidr } from "./ip.js";
import { LOOPBACK, loopbackInterface } from "./loopback.js";
import { parseMac } from "./mac.js";
import { resolveManagement } from "./management.js";
import { checkName, IFNAME_MAX } from "./names.js";
import { natGateway } from "./nat.js";
import { type EnvContext, resolveNodeEnv } from "./node-env.js";
import { type FlowsFiles, numberPorts, resolveOpenFlow } from "./openflow.js";
import { resolveRoute } from "./resolve-route.js";
import { forwardingSysctls } from "./routing.js";
import { checkTopology } from "./rules.js";
import { resolveServiceRefs } from "./service-order.js";
import { parseShaping } from "./shaping.js";
import type { Attachment, Interface, Link, Node, Route, Sysctl, Topology } from "./types.js";

/** Options applied while resolving (they do not come from the file). */
export interface ResolveOptions {
  /** Override the lab name from the file. */
  name?: string;
  /** Prefix for namespace names and root-namespace interface names (e.g. for parallel tests). */
  prefix?: string;
  /** Where relative `files:` sources are taken from; default: the topology file's directory. */
  baseDir?: string;
  /** What a `files:` source is on the host (load.ts looks); without it, sources are not checked. */
  sourceKind?: (path: string) => "file" | "dir" | "other" | "missing";
  /** The flows files the topology names (`flows: FILE`), read by whoever read the topology. */
  flowsFiles?: FlowsFiles;
}

/** Resolve a raw topology (from any source) into a Topology, or throw a TopologyError with every problem found. */
export function resolveTopology(spec: TopologySource, options: ResolveOptions = {}): Topology {
  const problems: Problem[] = [];
  const baseDir = options.baseDir ?? (spec.path && dirname(spec.path));
  const host = { baseDir, sourceKind: options.sourceKind };
  const r = new Resolver(spec, options.prefix ?? "", problems, host, options.flowsFiles);
  const topology = r.run(options.name);
  resolveHosts(topology, spec, problems);
  numberPorts(topology, problems);
  derive(topology, spec, r.optOut, problems);
  resolveManagement(topology, spec, problems, r.mentioned);
  problems.push(...resolveServiceRefs(topology));
  // Rules run on whatever resolved, so one bad field does not hide the others' problems.
  problems.push(...checkTopology(topology, { mentioned: r.mentioned }));
  if (topology.attachments || topology.management)
    for (const rule of ATTACHMENT_RULES) problems.push(...rule(topology, { mentioned: r.mentioned }));
  if (spec.problems?.length) {
    // The schema's problems, and the rules' findings on the rest (not on what was cut out).
    const cut = spec.cut ?? [];
    const own = problems.filter((p) => !aboutCut(p, cut));
    problems.length = 0;
    problems.push(...spec.problems, ...own);
  }
  if (problems.length > 0) throw new TopologyError(sortProblems(problems));
  return topology;
}

class Resolver implements AttachmentResolver {
  /** Links to what is outside the lab's namespaces (host, macvlan, phys, mgmt-net, dummy). */
  readonly attachments: Attachment[] = [];
  /** Every `node:iface` written as a link endpoint, resolvable or not. */
  readonly mentioned = new Set<string>();
  /** Every `node:iface` written with an empty address list (no automatic addresses for them). */
  readonly optOut = new Set<string>();

  constructor(
    readonly spec: TopologySource,
    private readonly prefix: string,
    private readonly problems: Problem[],
    private readonly host: Pick<EnvContext, "baseDir" | "sourceKind">,
    private readonly flowsFiles?: FlowsFiles,
  ) {}

  at(path: ReadonlyArray<string | number>, key = false): SourceLocation {
    return this.spec.locate(path, { key });
  }

  fail(message: string, location: SourceLocation, hint?: string): void {
    this.problems.push({ message, location, ...(hint ? { hint } : {}) });
  }

  run(nameOverride?: string): Topology {
    const raw: RawTopology = this.spec.raw;
    const name = nameOverride ?? raw.name;
    const nameProblem = checkName(name, "lab");
    if (nameProblem) this.fail(nameProblem, this.at(["name"]));
    if (this.prefix) {
      const p = checkName(`${this.prefix}x`, "netns");
      if (p) this.fail(`prefix '${this.prefix}' is not usable: ${p}`, this.at([]));
    }

    const nodes = new Map<string, Node>();
    for (const [nodeName, rawNode] of Object.entries(raw.nodes)) {
      const node = this.node(nodeName, rawNode, name);
      if (node) nodes.set(nodeName, node);
    }
    const links: Link[] = [];
    (raw.links ?? []).forEach((rawLink, i) => {
      const link = this.link(rawLink, i, nodes);
      if (link) links.push(link);
    });
    const topology: Topology = { name, prefix: this.prefix, nodes: [...nodes.values()], links };
    checkHostSection(this, this.attachments);
    if (this.attachments.length > 0) topology.attachments = this.attachments;
    if (this.spec.path) topology.file = this.spec.path;
    return topology;
  }

  private node(name: string, rawNode: RawTopology["nodes"][string], lab: string): Node | undefined {
    const path = ["nodes", name];
    const src = this.at(path, true);
    const raw = rawNode ?? {};
    const kind = raw.kind ?? "netns";
    const role = kind === "netns" ? "node" : "bridge";
    const problem = checkName(name, role === "node" ? "node" : "bridge");
    if (problem) {
      this.fail(problem, src);
      return undefined;
    }
    if (raw.kind === "bridge" || raw.kind === "ovs-bridge") {
      const ifname = this.rootName(name, path, "bridge");
      const interfaces: Interface[] = [];
      for (const [ifName, port] of Object.entries(raw.interfaces ?? {})) {
        const ipath = [...path, "interfaces", ifName];
        const iface = this.iface(ifName, ipath, true);
        if (!iface) continue;
        if (port?.mtu !== undefined) {
          iface.mtu = port.mtu;
          iface.at = { ...iface.at, mtu: this.at([...ipath, "mtu"]) };
        }
        if (port?.mac !== undefined) {
          this.mac(iface, port.mac, [...ipath, "mac"]);
          iface.at = { ...iface.at, mac: this.at([...ipath, "mac"]) };
        }
        if (port?.vlan !== undefined) {
          iface.vlan = port.vlan;
          iface.at = { ...iface.at, vlan: this.at([...ipath, "vlan"]) };
        }
        if (port?.ofport !== undefined) {
          const where = this.at([...ipath, "ofport"]);
          if (raw.kind === "bridge")
            this.fail("'ofport' is an OpenFlow port number: ovs-bridge ports only", where);
          else [iface.ofport, iface.at] = [port.ofport, { ...iface.at, ofport: where }];
        }
        interfaces.push(iface);
      }
      if (raw.kind === "bridge") {
        return {
          kind: "bridge",
          name,
          ifname,
          stp: raw.stp ?? false,
          ...(raw.mtu !== undefined ? { mtu: raw.mtu } : {}),
          interfaces,
          src,
        };
      }
      const openflow = resolveOpenFlow(
        name,
        raw,
        path,
        (p, k) => this.at(p, k),
        this.flowsFiles,
        this.problems,
      );
      return {
        kind: "ovs-bridge",
        name,
        ifname,
        datapath: raw.datapath ?? "auto",
        stp: raw.stp ?? false,
        interfaces,
        ...(openflow ? { openflow } : {}),
        src,
      };
    }
    const ns = raw as Extract<typeof raw, { routes?: unknown }>;
    const netns = `${this.prefix}${name}`;
    const nsProblem = this.prefix ? checkName(netns, "netns") : undefined;
    if (nsProblem) this.fail(nsProblem, src);
    const interfaces: Interface[] = [];
    for (const [ifName, rawIf] of Object.entries(ns.interfaces ?? {})) {
      const ipath = [...path, "interfaces", ifName];
      const iface =
        ifName === LOOPBACK
          ? loopbackInterface(this, rawIf, ipath)
          : this.netnsInterface(ifName, rawIf, ipath);
      if (!iface) continue;
      interfaces.push(iface);
      if (iface.loopback) this.mentioned.add(`${name}:${LOOPBACK}`);
    }
    const routes: Route[] = [];
    (ns.routes ?? []).forEach((r, i) => {
      const route = resolveRoute(r, [...path, "routes", i], (p) => this.at(p), this.fail.bind(this));
      if (route) routes.push(route);
    });
    const sysctls: Sysctl[] = Object.entries(ns.sysctls ?? {}).map(([key, value]) => ({
      key,
      value: typeof value === "boolean" ? (value ? "1" : "0") : String(value),
      src: this.at([...path, "sysctls", key], true),
    }));
    // IPv4-only: no IPv6 address generation on its interfaces, so no IPv6 addresses either.
    if (ns.ipv6 === false)
      for (const iface of interfaces)
        if (iface.addresses.some((a) => a.family === 6))
          this.fail(
            `node '${name}' is IPv4-only (ipv6: false) but ${iface.name} has an IPv6 address`,
            iface.src ?? src,
            "remove the IPv6 address, or drop 'ipv6: false'",
          );
    const at = (p: Array<string | number>, key?: boolean) => this.at([...path, ...p], key);
    const v4only = {
      ...(ns.ipv6 === false ? { ipv6: false as const } : {}),
      ...resolveNodeEnv(ns, { node: name, at, ...this.host, problems: this.problems }),
    };
    if (raw.kind === "router" || raw.kind === "nat") {
      sysctls.unshift(...forwardingSysctls(raw.kind, sysctls, this.at([...path, "kind"])));
      if (raw.kind === "router")
        return { kind: "netns", router: true, name, netns, interfaces, routes, sysctls, ...v4only, src };
      const { gateway, problems } = natGateway(lab, this.prefix, name, raw, (field) =>
        this.at(field === undefined ? path : [...path, field], field === undefined),
      );
      for (const p of problems) this.fail(p.message, p.location!, p.hint ?? this.prefixHint());
      return { kind: "netns", name, netns, interfaces, routes, sysctls, ...v4only, nat: gateway, src };
    }
    return { kind: "netns", name, netns, interfaces, routes, sysctls, ...v4only, src };
  }

  /** A kernel name in the root namespace: prefixed, and checked against IFNAMSIZ. */
  rootName(name: string, path: Array<string | number>, role: "bridge" | "interface"): string {
    const ifname = `${this.prefix}${name}`;
    if (this.prefix) {
      const p = checkName(ifname, role);
      if (p) this.fail(`with prefix '${this.prefix}': ${p}`, this.at(path, true), this.prefixHint());
    }
    return ifname;
  }

  /** What to do when a prefixed root-namespace name is too long for the kernel. */
  private prefixHint(): string {
    const n = Buffer.byteLength(this.prefix);
    return `with this ${n}-byte prefix, bridge and bridge-port names can be at most ${IFNAME_MAX - n} bytes (IFNAMSIZ); shorten the name or the prefix`;
  }

  private iface(
    name: string,
    path: Array<string | number>,
    root: boolean,
    loopback = false,
  ): Interface | undefined {
    const problem = loopback ? undefined : checkName(name, "interface");
    if (problem) {
      this.fail(problem, this.at(path, true));
      return undefined;
    }
    const ifname = root ? this.rootName(name, path, "interface") : name;
    return { name, ifname, addresses: [], src: this.at(path, true) };
  }

  netnsInterface(
    name: string,
    raw: RawInterface,
    path: Array<string | number>,
    loopback = false,
  ): Interface | undefined {
    const iface = this.iface(name, path, false, loopback);
    if (!iface) return undefined;
    let addresses: string[] = [];
    let addrPath: Array<string | number> = path;
    let indexed = false;
    if (typeof raw === "string") addresses = [raw];
    else if (Array.isArray(raw)) {
      addresses = raw;
      indexed = true;
      if (raw.length === 0) this.optOut.add(`${path[1]}:${name}`);
    } else if (raw) {
      addresses = raw.addresses ?? [];
      addrPath = [...path, "addresses"];
      indexed = true;
      if (raw.addresses?.length === 0) this.optOut.add(`${path[1]}:${name}`);
      if (raw.mtu !== undefined) iface.mtu = raw.mtu;
      if (raw.mac !== undefined) this.mac(iface, raw.mac, [...path, "mac"]);
    }
    addresses.forEach((text, i) => {
      const where = this.at(indexed ? [...addrPath, i] : addrPath);
      const c = parseCidr(text);
      const problem = typeof c === "string" ? `invalid address: ${c}` : hostAddressProblem(c);
      if (problem) this.fail(problem, where);
      else if (typeof c !== "string") {
        iface.addresses.push(c);
        iface.at = { ...iface.at, addresses: [...(iface.at?.addresses ?? []), where] };
      }
    });
    if (raw && typeof raw === "object" && !Array.isArray(raw)) {
      if (raw.mtu !== undefined) iface.at = { ...iface.at, mtu: this.at([...path, "mtu"]) };
      if (raw.mac !== undefined) iface.at = { ...iface.at, mac: this.at([...path, "mac"]) };
    }
    return iface;
  }

  private mac(iface: Interface, text: string, path: Array<string | number>): void {
    const mac = parseMac(text);
    if (typeof mac === "string") iface.mac = mac;
    else this.fail(mac.error, this.at(path));
  }

  private link(raw: RawLink, i: number, nodes: Map<string, Node>): Link | undefined {
    const special = resolveAttachment(this, raw, i, nodes);
    if (special.isAttachment) {
      if (special.attachment) this.attachments.push(special.attachment);
      return undefined;
    }
    const path = ["links", i];
    const endpoints = Array.isArray(raw) ? raw : raw.endpoints;
    const epPath = Array.isArray(raw) ? path : [...path, "endpoints"];
    const ends = endpoints.map((text, j) => this.endpoint(text, [...epPath, j], nodes));
    const [a, b] = ends;
    if (!a || !b) return undefined;
    const link: Link = { kind: "veth", a, b, src: this.at(path) };
    if (!Array.isArray(raw)) {
      if (raw.mtu !== undefined) link.mtu = raw.mtu;
      if (raw.vni !== undefined) link.vni = raw.vni;
      const { shaping, problems } = parseShaping(raw);
      for (const p of problems) this.fail(p.message, this.at([...path, p.field]));
      if (shaping && problems.length === 0) link.shaping = shaping;
    }
    return link;
  }

  endpoint(text: string, path: Array<string | number>, nodes: Map<string, Node>) {
    const where = this.at(path);
    const parts = text.split(":");
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      this.fail(`endpoint '${text}' must be written node:interface, e.g. ns1:veth0`, where);
      return undefined;
    }
    const [node, iface] = parts as [string, string];
    this.mentioned.add(text);
    if (!Object.hasOwn(this.spec.raw.nodes, node)) {
      const hint = didYouMean(node, Object.keys(this.spec.raw.nodes));
      this.fail(
        `endpoint '${text}' refers to node '${node}', which is not defined under 'nodes'`,
        where,
        hint,
      );
      return undefined;
    }
    const owner = nodes.get(node);
    if (!owner) return undefined; // the node itself is invalid; already reported
    if (iface === "lo" && owner.kind === "netns") {
      this.fail(
        `endpoint '${text}': lo is the node's loopback, not a link end`,
        where,
        `give it loopback addresses under nodes.${node}.interfaces.lo, and link another interface`,
      );
      return undefined;
    }
    const problem = checkName(iface, "interface");
    if (problem) {
      this.fail(`endpoint '${text}': ${problem}`, where);
      return undefined;
    }
    // An interface first mentioned by a link is created with default settings.
    if (!owner.interfaces.some((x) => x.name === iface)) {
      const root = owner.kind !== "netns";
      const ifname = root ? `${this.prefix}${iface}` : iface;
      if (root && this.prefix) {
        const p = checkName(ifname, "interface");
        if (p) this.fail(`endpoint '${text}' with prefix '${this.prefix}': ${p}`, where, this.prefixHint());
      }
      owner.interfaces.push({ name: iface, ifname, addresses: [], src: where });
    }
    return { node, iface };
  }
}

export type { Cidr };
