/**
 * The page: the list of labs at `/`, one lab at `/labs/NAME` — its graph, live state from the
 * server's event stream, the details panel, ping and link toggles. It only calls the server.
 */
import { type GraphModel, plural } from "../../graph/model.js";
import { PAGE_LABELS_MAX } from "../../graph/page.js";
import type { Point } from "../../graph/render.js";
import { KIND_COLORS } from "../../graph/style.js";
import { type PackedGraph, unpackGraph } from "../../graph/wire.js";
import type { ServiceReport } from "../../lab/services.js";
import type { LabReport, LabSummary, NodeReport } from "../../lab/status.js";
import type { PingResult } from "../../verify/ping-result.js";
import type { StateEvent } from "../live.js";
import { CanvasView } from "./canvas-view.js";
import { byId, h } from "./dom.js";
import { clock } from "./format.js";
import { TopologyView } from "./graph.js";
import { getJson, postJson, ServerError } from "./http.js";
import { Panel } from "./panel.js";
import type { GraphView } from "./view.js";

/** For tests and the curious: the page's state (`window.nslab`). */
interface Debug {
  view?: GraphView;
  reports?: Map<string, NodeReport>;
  /** Timings in ms since navigation start. */
  timings: Record<string, number>;
}
const debug: Debug = { timings: {} };
(window as unknown as { nslab: Debug }).nslab = debug;

function mark(name: string): void {
  debug.timings[name] = Math.round(performance.now());
}
mark("script");

function showMessage(text: string | null): void {
  const m = byId("message");
  m.hidden = text === null;
  m.textContent = text ?? "";
}

function errorText(e: unknown): string {
  if (e instanceof ServerError) return `${e.message}${e.hint ? ` (${e.hint})` : ""}`;
  return (e as Error).message ?? String(e);
}

async function labList(): Promise<void> {
  byId("labs-view").hidden = false;
  byId("live").hidden = true;
  const { labs } = await getJson<{ labs: LabSummary[] }>("/api/labs");
  const table = byId<HTMLTableElement>("labs-table");
  byId("labs-empty").hidden = labs.length > 0;
  table.hidden = labs.length === 0;
  table.tBodies[0]!.replaceChildren(
    ...labs.map((l) =>
      h(
        "tr",
        {},
        h("td", {}, h("a", { href: `/labs/${encodeURIComponent(l.lab)}` }, l.lab)),
        h("td", {}, l.status),
        h("td", { class: "num" }, String(l.nodes)),
        h("td", { class: "num" }, String(l.links)),
        h("td", { class: "mono" }, l.source ?? ""),
        h("td", {}, new Date(l.createdAt).toLocaleString()),
      ),
    ),
  );
  mark("ready");
}

async function labPage(lab: string): Promise<void> {
  document.title = `${lab} · nslab`;
  byId("lab-name").textContent = lab;
  byId("lab-view").hidden = false;
  const base = `/api/labs/${encodeURIComponent(lab)}`;
  mark("graph-requested");
  const answer = await getJson<{
    graph?: GraphModel;
    packed?: PackedGraph;
    positions: Record<string, Point> | null;
  }>(`${base}/graph?form=packed`);
  const graph = answer.packed ? unpackGraph(answer.packed) : (answer.graph as GraphModel);
  const { positions } = answer;
  mark("graph-loaded");
  // Watch the lab now: the server observes it while this page draws.
  const events = new EventSource(`${base}/events`);
  // Up to PAGE_LABELS_MAX nodes every port is labelled (cytoscape); larger labs straight on a canvas.
  const view: GraphView =
    graph.nodes.length > PAGE_LABELS_MAX
      ? new CanvasView(byId("graph"), graph, positions)
      : new TopologyView(byId("graph"), graph, positions);
  debug.view = view;
  mark("graph-drawn");
  // On the screen: after the next frame.
  requestAnimationFrame(() => setTimeout(() => mark("graph-painted")));
  const reports = new Map<string, NodeReport>();
  debug.reports = reports;
  // Each node's services, as the last event that carried them said.
  const services = new Map<string, ServiceReport[]>();

  const pingFrom = byId<HTMLInputElement>("ping-from");
  const pingTo = byId<HTMLInputElement>("ping-to");
  const panel = new Panel(byId("details"), graph, reports, services, {
    setLink: (endpoint, state) => void setLink(endpoint, state),
    pingFrom: (node) => {
      pingFrom.value = node;
    },
    pingTo: (node) => {
      pingTo.value = node;
    },
  });

  // Node lists for the ping form and the finder: filled when first needed (thousands of options
  // in a large lab are not worth building before the graph shows).
  const namespaces = graph.nodes.filter((n) => n.kind === "netns" || n.kind === "router");
  let listed = false;
  const fillLists = () => {
    if (listed) return;
    listed = true;
    byId("netns-nodes").replaceChildren(...namespaces.map((n) => h("option", { value: n.id })));
    byId("all-nodes").replaceChildren(...graph.nodes.map((n) => h("option", { value: n.id })));
  };
  pingFrom.value = namespaces[0]?.id ?? "";
  pingTo.value = namespaces[1]?.id ?? "";
  legend(graph);

  const find = byId<HTMLInputElement>("find");
  for (const input of [find, pingFrom, pingTo]) input.addEventListener("focus", fillLists);
  find.hidden = false;
  find.addEventListener("change", () => {
    if (view.focus(find.value.trim())) panel.showNode(find.value.trim());
  });

  view.onTap((tap) => {
    if (tap?.kind === "node") panel.showNode(tap.id);
    else if (tap?.kind === "edge") panel.showEdge(tap.id);
    else panel.clear();
  });

  const apply = (
    nodes: NodeReport[],
    healthy: boolean,
    health: StateEvent["health"],
    serviceList?: ServiceReport[],
  ) => {
    for (const n of nodes) reports.set(n.name, n);
    if (serviceList) {
      services.clear();
      for (const sv of serviceList) services.set(sv.node, [...(services.get(sv.node) ?? []), sv]);
    }
    panel.sample(nodes, Date.now());
    view.update(nodes);
    panel.refresh();
    const badge = byId("health");
    badge.textContent = healthy ? "healthy" : "degraded";
    badge.className = `badge ${healthy ? "ok" : "bad"}`;
    byId("health-box").hidden = health.length === 0;
    byId("health-list").replaceChildren(
      ...health.map((p) => h("li", {}, `${p.where}: ${p.what}`, h("div", { class: "fix" }, `fix: ${p.fix}`))),
    );
  };

  const live = byId("live");
  events.addEventListener("state", (ev) => {
    const s = JSON.parse((ev as MessageEvent<string>).data) as StateEvent;
    apply(s.nodes, s.healthy, s.health, s.services);
    live.textContent = `live · ${clock(s.at)}${s.tookMs ? ` · observed in ${s.tookMs} ms` : ""}`;
    live.className = "live on";
    showMessage(null);
    if (debug.timings.live === undefined) mark("live");
  });
  events.addEventListener("error", (ev) => {
    const data = (ev as MessageEvent<string>).data;
    if (data) {
      // The server could not observe the lab this round (it keeps trying).
      showMessage(`observing the lab failed: ${(JSON.parse(data) as { message: string }).message}`);
      live.textContent = "observation failed";
    } else live.textContent = "reconnecting…";
    live.className = "live off";
  });

  async function setLink(endpoint: string, state: "up" | "down"): Promise<void> {
    try {
      const r = await postJson<{ report: LabReport }>(`${base}/link`, { endpoint, state });
      apply(r.report.nodes, r.report.healthy, r.report.health, r.report.services ?? []);
      showMessage(null);
    } catch (e) {
      showMessage(`link ${endpoint} ${state}: ${errorText(e)}`);
    }
  }

  const result = byId("ping-result");
  byId<HTMLFormElement>("ping-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const from = pingFrom.value.trim();
    const to = pingTo.value.trim();
    const runButton = byId<HTMLButtonElement>("ping-run");
    runButton.disabled = true;
    result.className = "";
    result.removeAttribute("data-ok");
    result.textContent = `pinging ${to} from ${from}…`;
    postJson<PingResult>(`${base}/ping`, { from, to })
      .then((r) => {
        const target = `${r.pair.to} (${r.pair.target})`;
        result.textContent = r.ok
          ? `✓ ${from} → ${target}: reply${r.rttMs !== undefined ? ` in ${r.rttMs} ms` : ""}`
          : `✗ ${from} → ${target}: no reply${r.error ? ` — ${r.error}` : ""}`;
        result.className = r.ok ? "ok" : "fail";
        result.dataset.ok = String(r.ok);
      })
      .catch((e: unknown) => {
        result.textContent = `✗ ${errorText(e)}`;
        result.className = "fail";
        result.dataset.ok = "false";
      })
      .finally(() => {
        runButton.disabled = false;
      });
  });
}

function legend(graph: GraphModel): void {
  const names = { netns: "namespace", router: "router", bridge: "Linux bridge", "ovs-bridge": "OVS bridge" };
  const kinds = [...new Set(graph.nodes.map((n) => n.kind))];
  byId("legend").replaceChildren(
    h("h2", {}, `${plural(graph.nodes.length, "node")} · ${plural(graph.edges.length, "link")}`),
    ...kinds.map((k) =>
      h(
        "span",
        { class: "item" },
        h("span", {
          class: "swatch",
          style: `background:${KIND_COLORS[k].fill};border-color:${KIND_COLORS[k].stroke}`,
        }),
        names[k],
      ),
    ),
    h(
      "span",
      { class: "item" },
      h("span", { class: "swatch", style: "border:0;border-top:2px dashed #e53e3e;height:0" }),
      "link down",
    ),
  );
}

async function start(): Promise<void> {
  const m = /^\/labs\/([^/]+)\/?$/.exec(location.pathname);
  try {
    if (m) await labPage(decodeURIComponent(m[1]!));
    else await labList();
  } catch (e) {
    byId("lab-view").hidden = false;
    showMessage(errorText(e));
  }
}

void start();
