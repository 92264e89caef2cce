/**
 * The web view of a 10,000-host lab (`linear,100,100`) in headless Chromium, without a kernel: the
 * server runs here with a fake API (the lab's graph from its generated topology, observations
 * made up), so only the page and the server are under test. The page draws it on a canvas, goes
 * live, finds a node, selects nodes and links by clicking where they are drawn, and draws a link
 * red once an end is observed down.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphModel } from "../../src/graph/model.js";
import { layoutPositions } from "../../src/graph/render.js";
import type { LabReport, NodeReport } from "../../src/lab/status.js";
import { topologyFromObject } from "../../src/model/load.js";
import { generateTopology } from "../../src/sources/mininet/index.js";
import type { WebApi } from "../../src/web/api.js";
import { startWeb, type WebServer } from "../../src/web/server.js";
import { CHROMIUM, clickNode, haveChromium, untilLive } from "../support/web-page.js";

const LAB = "bigfake";
const graph = graphModel(topologyFromObject({ ...generateTopology("linear,100,100"), name: LAB }));
/** Interfaces observed down, as `node\u0000ifname`. */
const down = new Set<string>();

function report(): LabReport {
  return {
    lab: LAB,
    status: "up",
    healthy: down.size === 0,
    health: [],
    nodes: graph.nodes.map(
      (n): NodeReport => ({
        name: n.id,
        kind: n.kind === "router" ? "netns" : n.kind,
        kernelName: n.kernelName,
        present: true,
        owned: true,
        interfaces: n.interfaces.map((i) => ({
          name: i.ifname,
          present: true,
          up: !down.has(`${n.id}\u0000${i.ifname}`),
          operstate: down.has(`${n.id}\u0000${i.ifname}`) ? "DOWN" : "UP",
          adminUp: !down.has(`${n.id}\u0000${i.ifname}`),
          addresses: i.addresses,
        })),
        routes: [],
      }),
    ),
  };
}

const api: WebApi = {
  labs: () => [],
  graph: () => graph,
  layout: (g) => layoutPositions(g),
  observe: async () => report(),
  ping: async () => {
    throw new Error("no ping in this test");
  },
  setLink: async () => {},
  close: async () => {},
};

/** What the test reads in the page (tests are compiled without the DOM library). */
type PageGlobals = {
  nslab: {
    view: {
      renderedPosition(id: string): { x: number; y: number } | undefined;
      canvas: {
        getContext(kind: "2d"): {
          getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
        };
        width: number;
        getBoundingClientRect(): { width: number };
      };
    };
    timings: Record<string, number>;
  };
  document: { getElementById(id: string): { getBoundingClientRect(): { left: number; top: number } } | null };
};

describe.skipIf(!haveChromium)("web view of a 10,000-host lab in Chromium", () => {
  let server: WebServer | undefined;
  let browser: BrowserContext | undefined;
  let profile = "";
  let page: Page;

  beforeAll(async () => {
    server = await startWeb({ lab: LAB, api, intervalMs: 500 });
    profile = mkdtempSync(join(tmpdir(), "nslab-chromium-"));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
      viewport: { width: 1280, height: 720 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Red pixels (a link drawn down) on the canvas in the box spanning nodes a and b. */
  const redBetween = (a: string, b: string) =>
    page.evaluate(
      ([a, b]) => {
        const view = (globalThis as unknown as PageGlobals).nslab.view;
        const p = view.renderedPosition(a as string)!;
        const q = view.renderedPosition(b as string)!;
        const k = view.canvas.width / view.canvas.getBoundingClientRect().width;
        const x = Math.round(Math.min(p.x, q.x) * k);
        const y = Math.round(Math.min(p.y, q.y) * k);
        const w = Math.max(4, Math.round(Math.abs(p.x - q.x) * k));
        const h = Math.max(4, Math.round(Math.abs(p.y - q.y) * k));
        const d = view.canvas.getContext("2d").getImageData(x, y, w, h).data;
        let red = 0;
        for (let i = 0; i < d.length; i += 4)
          if ((d[i] as number) > 190 && (d[i + 1] as number) < 110 && (d[i + 2] as number) < 110) red++;
        return red;
      },
      [a, b],
    );

  it("draws all of it on one canvas, then goes live", async () => {
    await page.goto(server!.url);
    await untilLive(page);
    const t = await page.evaluate(() => (globalThis as unknown as PageGlobals).nslab.timings);
    // Drawn in well under a second on a quiet machine; this bound only catches a regression to
    // drawing element by element (which took ~15 s).
    expect(t["graph-drawn"]! - t["graph-loaded"]!).toBeLessThan(5_000);
    expect(await page.locator("#graph canvas").count()).toBe(1);
    expect(await page.textContent("#legend h2")).toBe("10100 nodes · 10099 links");
  });

  it("finds a node, and selects nodes and links where they are drawn", async () => {
    await page.fill("#find", "h7s42");
    await page.press("#find", "Enter");
    await page.locator("#details h3", { hasText: "h7s42" }).waitFor();
    await clickNode(page, "h8s42");
    // The middle of the link from s42 to h8s42: the panel shows both of its ends.
    const mid = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      const p = g.nslab.view.renderedPosition("s42")!;
      const q = g.nslab.view.renderedPosition("h8s42")!;
      const box = g.document.getElementById("graph")!.getBoundingClientRect();
      return { x: box.left + (p.x + q.x) / 2, y: box.top + (p.y + q.y) / 2 };
    });
    await page.mouse.click(mid.x, mid.y);
    await page.locator("#details h2", { hasText: "link" }).waitFor();
    expect((await page.locator("#details h3").allTextContents()).sort()).toEqual(["h8s42", "s42"]);
  });

  it("draws a link red once an end is observed down, and as before once it is up again", async () => {
    expect(await redBetween("s42", "h7s42")).toBe(0);
    const h7 = graph.nodes.find((n) => n.id === "h7s42")!;
    down.add(`h7s42\u0000${h7.interfaces[0]!.ifname}`);
    await expect.poll(() => redBetween("s42", "h7s42"), { timeout: 15_000 }).toBeGreaterThan(10);
    await expect.poll(() => page.textContent("#health")).toBe("degraded");
    down.clear();
    await expect.poll(() => redBetween("s42", "h7s42"), { timeout: 15_000 }).toBe(0);
  });
});
