/**
 * The side panel: a node's interfaces (state, addresses, counters and their rates, a down/up
 * toggle), its routes, its services and their state, an OVS bridge's OpenFlow state (controllers
 * connected or not); or a link's two ends. Built once per selection, then updated in place so a
 * button never moves under the pointer.
 */
import type { GraphEdge, GraphModel, GraphNode } from "../../graph/model.js";
import { serviceState } from "../../lab/service-state.js";
import type { ServiceReport } from "../../lab/services.js";
import type { InterfaceReport, NodeReport } from "../../lab/status.js";
import { h } from "./dom.js";
import { bytes, rate } from "./format.js";
import { openflowView } from "./openflow.js";

const KIND_NAMES = {
  netns: "namespace",
  router: "router",
  bridge: "Linux bridge",
  "ovs-bridge": "OVS bridge",
};

/** What the panel asks the page to do. */
export interface PanelActions {
  setLink(endpoint: string, state: "up" | "down"): void;
  pingFrom(node: string): void;
  pingTo(node: string): void;
}

interface Sample {
  at: number;
  rx: number;
  tx: number;
}

/** One interface's block, with the parts that change. */
interface IfaceBlock {
  state: HTMLElement;
  button: HTMLButtonElement;
  addresses: HTMLElement;
  rxPackets: HTMLElement;
  txPackets: HTMLElement;
  rxBytes: HTMLElement;
  txBytes: HTMLElement;
  rxRate: HTMLElement;
  txRate: HTMLElement;
}

export class Panel {
  #selected: { kind: "node"; id: string } | { kind: "edge"; id: string } | null = null;
  #blocks = new Map<string, IfaceBlock>();
  #routes: HTMLElement | null = null;
  #services: HTMLElement | null = null;
  #presence: HTMLElement | null = null;
  #openflow: HTMLElement | null = null;
  /** Previous counters per `node\u0000ifname`, for rates. */
  #samples = new Map<string, Sample>();
  #rates = new Map<string, { rx: number; tx: number }>();

  constructor(
    readonly root: HTMLElement,
    readonly graph: GraphModel,
    readonly reports: Map<string, NodeReport>,
    /** Each node's services (by node name). */
    readonly services: Map<string, ServiceReport[]>,
    readonly actions: PanelActions,
  ) {}

  /**
   * Track counters of every observed interface (rates need two samples). Nodes left out of an
   * update did not change: their counters stood still.
   */
  sample(nodes: NodeReport[], atMs: number): void {
    const sent = new Set(nodes.map((n) => n.name));
    for (const [key, prev] of this.#samples)
      if (!sent.has(key.slice(0, key.indexOf("\u0000")))) {
        this.#rates.set(key, { rx: 0, tx: 0 });
        prev.at = atMs;
      }
    for (const n of nodes)
      for (const i of n.interfaces) {
        if (!i.stats) continue;
        const key = `${n.name}\u0000${i.name}`;
        const prev = this.#samples.get(key);
        const cur = { at: atMs, rx: i.stats.rxBytes, tx: i.stats.txBytes };
        if (prev && cur.at > prev.at)
          this.#rates.set(key, {
            rx: Math.max(0, ((cur.rx - prev.rx) * 1000) / (cur.at - prev.at)),
            tx: Math.max(0, ((cur.tx - prev.tx) * 1000) / (cur.at - prev.at)),
          });
        this.#samples.set(key, cur);
      }
  }

  showNode(id: string): void {
    const node = this.graph.nodes.find((n) => n.id === id);
    if (!node) return;
    this.#selected = { kind: "node", id };
    this.#blocks.clear();
    const report = this.reports.get(id);
    this.#presence = h("dd", {});
    const ifaces = (report?.interfaces ?? []).map((i) => this.#ifaceBlock(id, i));
    this.#routes = h("div", { class: "routes" });
    this.#services = h("div", { class: "services" });
    this.#openflow = node.kind === "ovs-bridge" ? h("div", { class: "openflow" }) : null;
    const inNamespace = node.kind === "netns" || node.kind === "router";
    const parts: (HTMLElement | null)[] = [
      h("h2", {}, KIND_NAMES[node.kind]),
      h("h3", { class: "mono", "data-node": id }, id),
      h(
        "dl",
        { class: "kv" },
        h("dt", {}, inNamespace ? "namespace" : "interface"),
        h("dd", { class: "mono" }, node.kernelName),
        h("dt", {}, "in kernel"),
        this.#presence,
      ),
      inNamespace
        ? h(
            "div",
            {},
            button("ping from here", () => this.actions.pingFrom(id)),
            " ",
            button("ping to here", () => this.actions.pingTo(id)),
          )
        : null,
      this.#openflow ? h("h2", {}, "OpenFlow") : null,
      this.#openflow,
      h("h2", {}, `interfaces (${node.interfaces.length})`),
      ...(ifaces.length > 0 ? ifaces : [h("p", { class: "muted" }, "not observed yet")]),
      inNamespace ? h("h2", {}, "routes") : null,
      inNamespace ? this.#routes : null,
      inNamespace ? h("h2", {}, "services") : null,
      inNamespace ? this.#services : null,
    ];
    this.root.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
    this.refresh();
  }

  showEdge(id: string): void {
    const edge = this.graph.edges.find((e) => e.id === id);
    if (!edge) return;
    this.#selected = { kind: "edge", id };
    this.#blocks.clear();
    this.#routes = null;
    this.#services = null;
    this.#presence = null;
    this.#openflow = null;
    const ends = [edge.a, edge.b].map((end) => {
      const i = this.reports.get(end.node)?.interfaces.find((x) => x.name === end.ifname);
      return h(
        "div",
        {},
        h("h3", { class: "mono" }, end.node),
        i ? this.#ifaceBlock(end.node, i) : h("p", { class: "muted" }, `${end.ifname}: not observed yet`),
      );
    });
    this.root.replaceChildren(h("h2", {}, "link (veth pair)"), ...ends);
    this.refresh();
  }

  clear(): void {
    this.#selected = null;
    this.#blocks.clear();
    this.root.replaceChildren(
      h("p", { class: "hint" }, "Click a node or a link for its interfaces, addresses, routes and counters."),
    );
  }

  /** Re-read the shown node's or link's state (after an observation). */
  refresh(): void {
    const sel = this.#selected;
    if (!sel) return;
    if (sel.kind === "node" && this.#services) this.#fillServices(this.#services, sel.id);
    const nodes =
      sel.kind === "node"
        ? [sel.id]
        : (() => {
            const e = this.graph.edges.find((x) => x.id === sel.id) as GraphEdge;
            return [e.a.node, e.b.node];
          })();
    for (const name of nodes) {
      const report = this.reports.get(name);
      if (!report) continue;
      if (sel.kind === "node" && this.#presence)
        this.#presence.textContent = report.present
          ? report.owned
            ? "present, owned by this lab"
            : "present"
          : "ABSENT";
      for (const i of report.interfaces) {
        const block = this.#blocks.get(`${name}\u0000${i.name}`);
        if (block) this.#fill(block, name, i);
        else if (sel.kind === "node") {
          this.showNode(sel.id);
          return;
        }
      }
      if (sel.kind === "node" && this.#openflow) this.#fillOpenflow(this.#openflow, report);
      if (sel.kind === "node" && this.#routes)
        this.#routes.replaceChildren(
          ...(report.routes.length === 0
            ? [h("p", { class: "muted" }, "none")]
            : report.routes.map((r) =>
                h(
                  "div",
                  { class: "mono" },
                  `${r.dst}${r.via ? ` via ${r.via}` : ""}${r.dev ? ` dev ${r.dev}` : ""}`,
                ),
              )),
        );
    }
  }

  /** One line per service of `node`: its name, its state in a word (data-state), the detail. */
  #fillServices(into: HTMLElement, node: string): void {
    const list = this.services.get(node) ?? [];
    into.replaceChildren(
      ...(list.length === 0
        ? [h("p", { class: "muted" }, "none")]
        : list.map((sv) => {
            const st = serviceState(sv);
            return h(
              "div",
              { class: "service", "data-service": sv.name, "data-state": st.condition },
              h("span", { class: "name mono" }, sv.name),
              " ",
              h("span", { class: `state ${st.ok ? "up" : "down"}` }, st.condition),
              " ",
              h(
                "span",
                { class: "muted" },
                `${st.text}${sv.since ? ` · since ${new Date(sv.since).toLocaleTimeString([], { hour12: false })}` : ""}`,
              ),
            );
          })),
    );
  }

  #ifaceBlock(node: string, i: InterfaceReport): HTMLElement {
    const endpoint = this.#endpoint(node, i.name);
    const block: IfaceBlock = {
      state: h("span", { class: "state" }),
      button: button("", () => {
        const cur = this.reports.get(node)?.interfaces.find((x) => x.name === i.name);
        if (endpoint) this.actions.setLink(endpoint, cur?.up ? "down" : "up");
      }),
      addresses: h("div", { class: "mono" }),
      rxPackets: h("td", { class: "num" }),
      txPackets: h("td", { class: "num" }),
      rxBytes: h("td", { class: "num" }),
      txBytes: h("td", { class: "num" }),
      rxRate: h("td", { class: "num" }),
      txRate: h("td", { class: "num" }),
    };
    block.button.dataset.endpoint = endpoint ?? "";
    if (!endpoint) block.button.hidden = true;
    this.#blocks.set(`${node}\u0000${i.name}`, block);
    return h(
      "div",
      { class: "iface", "data-iface": i.name },
      h(
        "div",
        { class: "head" },
        h("span", { class: "name" }, i.name),
        block.state,
        h("span", { class: "spacer" }),
        block.button,
      ),
      block.addresses,
      h(
        "div",
        { class: "muted" },
        [i.mtu !== undefined ? `mtu ${i.mtu}` : "", i.mac ?? "", i.peer ? `↔ ${i.peer}` : ""]
          .filter(Boolean)
          .join(" · "),
      ),
      h(
        "table",
        { class: "counters" },
        h("tr", {}, h("td", {}), h("th", {}, "packets"), h("th", {}, "bytes"), h("th", {}, "rate")),
        h("tr", {}, h("th", {}, "rx"), block.rxPackets, block.rxBytes, block.rxRate),
        h("tr", {}, h("th", {}, "tx"), block.txPackets, block.txBytes, block.txRate),
      ),
    );
  }

  #fill(b: IfaceBlock, node: string, i: InterfaceReport): void {
    const up = i.present && i.up;
    b.state.textContent = i.present ? i.operstate : "ABSENT";
    b.state.className = `state ${up ? "up" : "down"}`;
    b.button.textContent = i.up ? "take down" : "bring up";
    b.button.className = i.up ? "down" : "up";
    b.button.disabled = !i.present;
    b.addresses.textContent = i.addresses.filter((a) => !a.startsWith("fe80:")).join("  ") || "no address";
    const s = i.stats;
    b.rxPackets.textContent = s ? String(s.rxPackets) : "";
    b.txPackets.textContent = s ? String(s.txPackets) : "";
    b.rxBytes.textContent = s ? bytes(s.rxBytes) : "";
    b.txBytes.textContent = s ? bytes(s.txBytes) : "";
    const r = this.#rates.get(`${node}\u0000${i.name}`);
    b.rxRate.textContent = r ? rate(r.rx) : "";
    b.txRate.textContent = r ? rate(r.tx) : "";
  }

  /** The bridge's datapath ID, fail mode, versions and controllers (replaced whole: a few lines). */
  #fillOpenflow(el: HTMLElement, report: NodeReport): void {
    if (!report.openflow) {
      el.replaceChildren(h("p", { class: "muted" }, report.present ? "not observed yet" : "bridge absent"));
      return;
    }
    const v = openflowView(report.openflow);
    el.replaceChildren(
      h(
        "dl",
        { class: "kv" },
        h("dt", {}, "dpid"),
        h("dd", { class: "mono", "data-of": "dpid" }, v.dpid),
        h("dt", {}, "fail mode"),
        h("dd", { "data-of": "fail-mode" }, v.failMode),
        h("dt", {}, "versions"),
        h("dd", { "data-of": "protocols" }, v.protocols),
        h("dt", {}, "controllers"),
        h("dd", { "data-of": "summary" }, v.summary),
      ),
      ...v.controllers.map((c) =>
        h(
          "div",
          { class: "controller", "data-target": c.target, "data-connected": String(c.connected) },
          h("span", { class: "mono" }, c.target),
          " ",
          h("span", { class: `state ${c.connected ? "up" : "down"}` }, c.text),
        ),
      ),
    );
  }

  /** `node:iface` (topology names) of the interface with kernel name `ifname`. */
  #endpoint(node: string, ifname: string): string | undefined {
    const n: GraphNode | undefined = this.graph.nodes.find((x) => x.id === node);
    const i = n?.interfaces.find((x) => x.ifname === ifname);
    return i ? `${node}:${i.name}` : undefined;
  }
}

function button(label: string, onClick: () => void): HTMLButtonElement {
  const b = h("button", { type: "button" }, label);
  b.addEventListener("click", onClick);
  return b;
}
