/**
 * The web view's HTTP routes (Hono): the page, a JSON API over {@link WebApi}, and live state as
 * server-sent events. Every request passes the guard first; there are no CORS headers at all.
 */
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { streamSSE } from "hono/streaming";
import { NslabError } from "../errors.js";
import type { GraphModel } from "../graph/model.js";
import { packGraph } from "../graph/wire.js";
import type { WebApi } from "./api.js";
import type { Asset } from "./assets.js";
import { checkRequest, type GuardConfig, tokenCookie } from "./auth.js";
import { LiveHub } from "./live.js";

export interface AppOptions {
  api: WebApi;
  /** The guard's settings; read on every request (the port is known only once listening). */
  guard: () => GuardConfig;
  /** The page's files; undefined when the page is not built. */
  assets: Map<string, Asset> | undefined;
  /** How often watched labs are observed (ms). */
  intervalMs?: number;
}

const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/** The graph request's forms: the graph as it is, or packed for the page. */
type Form = "full" | "packed";

/** A graph request's answer, as JSON and compressed. */
interface GraphBody {
  json: string;
  gzip: Buffer;
}

const gzipped = promisify(gzip);

const STATUS_OF: Partial<Record<string, 400 | 404 | 409>> = {
  E_NOT_FOUND: 404,
  E_USAGE: 400,
  E_LOCKED: 409,
};

/** The app, its live hub (close the hub when the server stops) and what prepares a lab's page. */
export function createApp(options: AppOptions): { app: Hono; live: LiveHub; warm: (lab: string) => void } {
  const { api } = options;
  const live = new LiveHub((lab) => api.observe(lab), options.intervalMs ?? 1000);
  const app = new Hono();
  // The graph request's answer, once per graph and form: a 10,000-host lab's is 4.5 MB of JSON
  // (2.7 MB packed for the page, positions included), 0.5 MB compressed (off the event loop), which the browser takes in
  // a fraction of the time.
  const graphBodies = new WeakMap<GraphModel, Map<Form, Promise<GraphBody>>>();
  const graphBody = (lab: string, form: Form): Promise<GraphBody> => {
    const graph = api.graph(lab);
    let forms = graphBodies.get(graph);
    if (!forms) {
      forms = new Map();
      graphBodies.set(graph, forms);
    }
    let body = forms.get(form);
    if (!body) {
      // Without positions (Graphviz failed to load) the page lays the graph out itself.
      const laid = api.layout(graph).catch(() => null);
      body = laid.then(async (positions) => {
        const packed = form === "packed" ? packGraph(graph) : undefined;
        const json = JSON.stringify(packed ? { packed, positions } : { graph, positions });
        return { json, gzip: await gzipped(json) };
      });
      forms.set(form, body);
      // A failed layout is tried again next time.
      const mine = forms;
      void laid.then((positions) => {
        if (positions === null) mine.delete(form);
      });
    }
    return body;
  };

  app.use(async (c, next) => {
    const guard = options.guard();
    const verdict = checkRequest({ method: c.req.method, url: c.req.url, headers: c.req.raw.headers }, guard);
    if (!verdict.ok) {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
      return c.text(
        `${verdict.status === 401 ? "unauthorized" : "forbidden"}: ${verdict.reason}\n`,
        verdict.status,
      );
    }
    // The token came in the address: keep it in a cookie and drop it from the address bar.
    if (verdict.via === "query" && c.req.method === "GET" && !c.req.path.startsWith("/api/")) {
      const url = new URL(c.req.url);
      url.searchParams.delete("token");
      c.header("Set-Cookie", tokenCookie(guard));
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
  });

  app.onError((e, c) => {
    if (e instanceof NslabError)
      return c.json({ error: { code: e.code, message: e.message, hint: e.hint } }, STATUS_OF[e.code] ?? 500);
    return c.json({ error: { code: "E_INTERNAL", message: (e as Error).message } }, 500);
  });

  const page = (c: Context) => {
    const html = options.assets?.get("index.html");
    if (!html) return c.text("the web page is not built: run npm run build\n", 503);
    return c.body(html.body, 200, { "Content-Type": html.type });
  };
  app.get("/", page);
  app.get("/labs/:lab", page);
  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.get("/assets/:name", (c) => {
    const a = options.assets?.get(c.req.param("name"));
    if (!a) return c.text("not found\n", 404);
    return c.body(a.body, 200, { "Content-Type": a.type });
  });

  app.get("/api/labs", (c) => c.json({ labs: api.labs() }));

  // `?form=packed` (the page): each link as its ends' names (see graph/wire.ts), under `packed`.
  app.get("/api/labs/:lab/graph", async (c) => {
    const body = await graphBody(c.req.param("lab"), c.req.query("form") === "packed" ? "packed" : "full");
    c.header("Vary", "Accept-Encoding");
    if (/\bgzip\b/.test(c.req.header("accept-encoding") ?? ""))
      return c.body(new Uint8Array(body.gzip), 200, {
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
      });
    return c.body(body.json, 200, { "Content-Type": "application/json" });
  });

  app.get("/api/labs/:lab/status", async (c) => {
    const lab = c.req.param("lab");
    return c.json(live.latest(lab) ?? (await api.observe(lab)));
  });

  app.get("/api/labs/:lab/events", (c) => {
    const lab = c.req.param("lab");
    return streamSSE(c, async (stream) => {
      let queue = Promise.resolve();
      const stop = live.watch(lab, (event, data) => {
        queue = queue.then(() => stream.writeSSE({ event, data })).catch(() => {});
      });
      await new Promise<void>((resolve) => stream.onAbort(resolve));
      stop();
    });
  });

  const json = bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text("request body too large\n", 413) });

  app.post("/api/labs/:lab/ping", json, async (c) => {
    const body = await readBody(c.req.raw);
    const from = field(body, "from");
    const to = field(body, "to");
    return c.json(await api.ping(c.req.param("lab"), from, to));
  });

  app.post("/api/labs/:lab/link", json, async (c) => {
    const lab = c.req.param("lab");
    const body = await readBody(c.req.raw);
    const endpoint = field(body, "endpoint");
    const state = field(body, "state");
    if (state !== "up" && state !== "down")
      throw new NslabError("E_USAGE", `state must be 'up' or 'down', not '${state}'`);
    await api.setLink(lab, endpoint, state);
    // Observe at once so every open page (and this answer) shows the change without waiting.
    return c.json({ endpoint, state, report: await live.refresh(lab) });
  });

  /** Read, lay out and serialise `lab`'s graph now, so the page's first request finds it ready. */
  const warm = (lab: string) => {
    try {
      void graphBody(lab, "packed").catch(() => {});
    } catch {}
  };
  return { app, live, warm };
}

async function readBody(req: Request): Promise<Record<string, unknown>> {
  if (!req.headers.get("content-type")?.toLowerCase().startsWith("application/json"))
    throw new NslabError("E_USAGE", "send a JSON body (Content-Type: application/json)");
  try {
    const v = (await req.json()) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {}
  throw new NslabError("E_USAGE", "the request body is not a JSON object");
}

function field(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== "string" || v.length === 0 || v.length > 256)
    throw new NslabError("E_USAGE", `'${name}' must be a non-empty string`);
  return v;
}
