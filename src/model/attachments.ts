/**
 * Links to what is outside the lab's namespaces, as containerlab writes them: `host:IF` (a veth to
 * the root namespace), `macvlan:PARENT`, `phys:IF` (a host interface moved in), `mgmt-net:IF` (a
 * veth to the management bridge) and `dummy`. Raw link → resolved Attachment; the node end becomes
 * an interface of its node, as a veth link's end does. Pure.
 */
import type { SourceLocation } from "../errors.js";
import type { RawInterface, RawLink, RawTopology } from "../sources/nslab/schema.js";
import { checkName } from "./names.js";
import type { Attachment, AttachmentKind, EndpointRef, Interface, Node } from "./types.js";

/** The words that name an attachment kind in an endpoint (`host:IF`, …, or `dummy` alone). */
export const ATTACHMENT_KINDS: readonly AttachmentKind[] = ["host", "macvlan", "phys", "mgmt-net", "dummy"];

/** What `text` names when it is an attachment endpoint: its kind and the name after the colon. */
export function attachmentEndpoint(text: string): { kind: AttachmentKind; name: string } | undefined {
  if (text === "dummy") return { kind: "dummy", name: "" };
  const colon = text.indexOf(":");
  if (colon < 0) return undefined;
  const kind = text.slice(0, colon) as AttachmentKind;
  if (kind === "dummy" || !ATTACHMENT_KINDS.includes(kind)) return undefined;
  return { kind, name: text.slice(colon + 1) };
}

/** What resolving an attachment needs from the topology resolver. */
export interface AttachmentResolver {
  readonly spec: { raw: RawTopology };
  at(path: ReadonlyArray<string | number>, key?: boolean): SourceLocation;
  fail(message: string, location: SourceLocation, hint?: string): void;
  /** A `node:iface` endpoint: checked, recorded as mentioned, its interface created on its node. */
  endpoint(text: string, path: Array<string | number>, nodes: Map<string, Node>): EndpointRef | undefined;
  /** A prefixed root-namespace name, checked against IFNAMSIZ. */
  rootName(name: string, path: Array<string | number>, role: "bridge" | "interface"): string;
  /** An interface with its settings (addresses, MTU, MAC) as written under `path`. */
  netnsInterface(
    name: string,
    raw: RawInterface,
    path: Array<string | number>,
    loopback?: boolean,
  ): Interface | undefined;
}

const SHAPING_FIELDS = ["rate", "delay", "jitter", "loss"] as const;

const WHAT: Record<AttachmentKind, string> = {
  host: "host:IF (a veth pair to the root namespace)",
  macvlan: "macvlan:PARENT (a macvlan child of a host interface)",
  phys: "phys:IF (a host interface moved into the node)",
  "mgmt-net": "mgmt-net:IF (a veth pair to the management bridge)",
  dummy: "dummy (a dummy interface in the node)",
};

/**
 * Resolve link `i` when one of its endpoints is an attachment; undefined when the link is an
 * ordinary veth link (`isAttachment` false) or when it has problems (reported through `r`).
 */
export function resolveAttachment(
  r: AttachmentResolver,
  raw: RawLink,
  i: number,
  nodes: Map<string, Node>,
): { isAttachment: boolean; attachment?: Attachment } {
  const path: Array<string | number> = ["links", i];
  const endpoints = Array.isArray(raw) ? raw : raw.endpoints;
  const epPath = Array.isArray(raw) ? path : [...path, "endpoints"];
  const kinds = endpoints.map(attachmentEndpoint);
  const j = kinds.findIndex((k) => k !== undefined);
  if (j < 0) return { isAttachment: false };
  const special = kinds[j]!;
  const where = r.at([...epPath, j]);
  const nodeIndex = 1 - j;
  if (kinds[nodeIndex] !== undefined) {
    r.fail(
      `a link needs a node end: '${endpoints[0]}' and '${endpoints[1]}' are both outside the lab's nodes`,
      r.at(path),
      "write one end as node:interface",
    );
    return { isAttachment: true };
  }
  if (Object.hasOwn(r.spec.raw.nodes, special.kind)) {
    r.fail(
      `'${endpoints[j]}' is ambiguous: '${special.kind}' is a node of this lab and also the word for ${WHAT[special.kind]}`,
      where,
      `rename the node '${special.kind}'`,
    );
    return { isAttachment: true };
  }
  if (special.kind !== "dummy") {
    const problem = checkName(special.name, "interface");
    if (problem) {
      r.fail(`endpoint '${endpoints[j]}': ${problem}`, where);
      return { isAttachment: true };
    }
  }
  if (!Array.isArray(raw)) {
    const shaped = SHAPING_FIELDS.find((f) => raw[f] !== undefined);
    if (shaped) {
      r.fail(
        `'${shaped}' shapes veth links between nodes; a ${special.kind} link cannot be shaped`,
        r.at([...path, shaped], true),
        "shape the traffic on a link between two nodes",
      );
      return { isAttachment: true };
    }
  }
  const node = r.endpoint(endpoints[nodeIndex]!, [...epPath, nodeIndex], nodes);
  if (!node) return { isAttachment: true };
  const owner = nodes.get(node.node);
  if (owner && owner.kind !== "netns") {
    r.fail(
      `${WHAT[special.kind]} connects to a namespace node; '${node.node}' is a ${owner.kind === "bridge" ? "Linux bridge" : "OVS bridge"}`,
      r.at([...epPath, nodeIndex]),
      "attach it to a namespace (a host or router) on that bridge instead",
    );
    return { isAttachment: true };
  }
  const base = {
    node,
    ...(!Array.isArray(raw) && raw.mtu !== undefined ? { mtu: raw.mtu } : {}),
    src: r.at(path),
  };
  switch (special.kind) {
    case "host":
    case "mgmt-net": {
      const hostPath = ["host", "interfaces", special.name];
      const settings = special.kind === "host" ? r.spec.raw.host?.interfaces?.[special.name] : undefined;
      const host = r.netnsInterface(
        special.name,
        settings ?? null,
        settings !== undefined ? hostPath : [...epPath, j],
      );
      if (!host) return { isAttachment: true };
      host.ifname = r.rootName(special.name, [...epPath, j], "interface");
      host.src = where;
      return { isAttachment: true, attachment: { kind: special.kind, ...base, host } };
    }
    case "macvlan":
      return {
        isAttachment: true,
        attachment: { kind: "macvlan", ...base, parent: special.name, mode: "bridge" },
      };
    case "phys":
      return { isAttachment: true, attachment: { kind: "phys", ...base, device: special.name } };
    case "dummy":
      return { isAttachment: true, attachment: { kind: "dummy", ...base } };
  }
}

/** Every `host.interfaces` entry must be the host end of a `host:` link (catches typos). */
export function checkHostSection(r: AttachmentResolver, attachments: readonly Attachment[]): void {
  const used = new Set(attachments.flatMap((a) => (a.kind === "host" ? [a.host.name] : [])));
  for (const name of Object.keys(r.spec.raw.host?.interfaces ?? {}))
    if (!used.has(name))
      r.fail(
        `host interface '${name}' is not the host end of any link`,
        r.at(["host", "interfaces", name], true),
        `add a link [node:iface, host:${name}], or remove it`,
      );
}
