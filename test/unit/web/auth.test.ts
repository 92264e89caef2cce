/**
 * The web view's guard, without a browser or a kernel: the token (query → cookie, header),
 * Host (DNS rebinding), Origin and Sec-Fetch-Site (other sites and other local ports), writes
 * without Origin, no CORS. Requests go to the Hono app in memory, backed by a fake API.
 */
import { describe, expect, it, vi } from "vitest";
import type { LabReport } from "../../../src/lab/status.js";
import type { WebApi } from "../../../src/web/api.js";
import { createApp } from "../../../src/web/app.js";
import { checkRequest, cookieName, type GuardConfig, newToken } from "../../../src/web/auth.js";

const PORT = 48123;
const TOKEN = newToken();
const guard: GuardConfig = {
  token: TOKEN,
  hosts: [`127.0.0.1:${PORT}`, `localhost:${PORT}`],
  cookie: cookieName(PORT),
};
const ORIGIN = `http://127.0.0.1:${PORT}`;

function fakeApi(): WebApi & { setLink: ReturnType<typeof vi.fn> } {
  const report: LabReport = {
    lab: "demo",
    status: "up",
    createdAt: "2024-01-01T00:00:00.000Z",
    healthy: true,
    health: [],
    nodes: [],
  };
  return {
    labs: () => [{ lab: "demo", status: "up", createdAt: "2024-01-01T00:00:00.000Z", nodes: 0, links: 0 }],
    graph: () => ({ lab: "demo", nodes: [], edges: [] }),
    layout: async () => null,
    observe: async () => report,
    ping: async () => ({
      pair: { from: "a", netns: "a", to: "b", target: "10.0.0.2", family: 4 },
      ok: true,
    }),
    setLink: vi.fn(async () => {}),
    close: async () => {},
  };
}

const assets = new Map([
  ["index.html", { type: "text/html; charset=utf-8", body: "<!doctype html><title>t</title>" }],
]);

function setup() {
  const api = fakeApi();
  const { app, live } = createApp({ api, guard: () => guard, assets });
  const req = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    app.request(`${ORIGIN}${path}`, {
      ...init,
      headers: { host: `127.0.0.1:${PORT}`, ...init.headers },
    });
  return { api, app, live, req };
}

const cookie = `${cookieName(PORT)}=${TOKEN}`;

describe("web view guard", () => {
  it("refuses every request without the token (401)", async () => {
    const { req } = setup();
    for (const path of ["/", "/labs/demo", "/assets/app.js", "/api/labs", "/api/labs/demo/status"])
      expect((await req(path)).status).toBe(401);
    expect((await req("/api/labs/demo/link", { method: "POST", headers: { origin: ORIGIN } })).status).toBe(
      401,
    );
  });

  it("refuses a wrong token, in the query, a cookie or a header", async () => {
    const { req } = setup();
    const wrong = newToken();
    expect((await req(`/?token=${wrong}`)).status).toBe(401);
    expect((await req("/api/labs", { headers: { cookie: `${cookieName(PORT)}=${wrong}` } })).status).toBe(
      401,
    );
    expect((await req("/api/labs", { headers: { authorization: `Bearer ${wrong}` } })).status).toBe(401);
    // The cookie of a server on another port is not ours.
    expect((await req("/api/labs", { headers: { cookie: `${cookieName(PORT + 1)}=${TOKEN}` } })).status).toBe(
      401,
    );
  });

  it("trades the token in the address for an HttpOnly SameSite=Strict cookie and drops it from the URL", async () => {
    const { req } = setup();
    const r = await req(`/labs/demo?token=${TOKEN}`, { headers: { "sec-fetch-site": "none" } });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/labs/demo");
    const set = r.headers.get("set-cookie") ?? "";
    expect(set).toContain(`${cookieName(PORT)}=${TOKEN}`);
    expect(set).toContain("HttpOnly");
    expect(set).toContain("SameSite=Strict");
    const page = await req("/labs/demo", { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
  });

  it("accepts the token as a cookie, a bearer token or X-Nslab-Token", async () => {
    const { req } = setup();
    for (const headers of [
      { cookie },
      { authorization: `Bearer ${TOKEN}` },
      { "x-nslab-token": TOKEN },
    ] as Record<string, string>[]) {
      const r = await req("/api/labs", { headers });
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ labs: [expect.objectContaining({ lab: "demo" })] });
    }
  });

  it("refuses a Host that is not this server's (DNS rebinding), even with the token", async () => {
    const { req } = setup();
    for (const host of [
      "evil.example",
      `evil.example:${PORT}`,
      "127.0.0.1",
      `127.0.0.1:${PORT + 1}`,
      `10.0.0.1:${PORT}`,
    ]) {
      const r = await req("/api/labs", { headers: { host, cookie } });
      expect(r.status).toBe(403);
      expect(await r.text()).toContain("unexpected Host");
    }
    expect((await req("/api/labs", { headers: { host: `localhost:${PORT}`, cookie } })).status).toBe(200);
  });

  it("refuses cross-origin requests, also from another port of 127.0.0.1 (same site)", async () => {
    const { req } = setup();
    for (const origin of [
      "http://evil.example",
      `http://127.0.0.1:${PORT + 1}`,
      `https://127.0.0.1:${PORT}`,
      "null",
    ]) {
      const r = await req("/api/labs", { headers: { origin, cookie } });
      expect(r.status).toBe(403);
    }
    for (const site of ["cross-site", "same-site"])
      expect((await req("/api/labs", { headers: { "sec-fetch-site": site, cookie } })).status).toBe(403);
    expect(
      (await req("/api/labs", { headers: { origin: ORIGIN, "sec-fetch-site": "same-origin", cookie } }))
        .status,
    ).toBe(200);
  });

  it("needs the page's own Origin for writes authorised by the cookie", async () => {
    const { req, api } = setup();
    const body = JSON.stringify({ endpoint: "a:eth0", state: "down" });
    const post = (headers: Record<string, string>) =>
      req("/api/labs/demo/link", {
        method: "POST",
        body,
        headers: { "content-type": "application/json", ...headers },
      });
    expect((await post({ cookie })).status).toBe(403);
    expect(api.setLink).not.toHaveBeenCalled();
    const ok = await post({ cookie, origin: ORIGIN });
    expect(ok.status).toBe(200);
    expect(api.setLink).toHaveBeenCalledWith("demo", "a:eth0", "down");
    // Scripts send the token in a header instead.
    expect((await post({ "x-nslab-token": TOKEN })).status).toBe(200);
  });

  it("sends no CORS headers and refuses preflights", async () => {
    const { req } = setup();
    const r = await req("/api/labs", { headers: { cookie } });
    expect([...r.headers.keys()].filter((k) => k.startsWith("access-control-"))).toEqual([]);
    const pre = await req("/api/labs/demo/link", {
      method: "OPTIONS",
      headers: { origin: "http://evil.example", "access-control-request-method": "POST" },
    });
    expect(pre.status).toBe(403);
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("validates write requests", async () => {
    const { req } = setup();
    const post = (path: string, body: string, type = "application/json") =>
      req(path, { method: "POST", body, headers: { "content-type": type, cookie, origin: ORIGIN } });
    expect(
      (await post("/api/labs/demo/link", JSON.stringify({ endpoint: "a:eth0", state: "sideways" }))).status,
    ).toBe(400);
    expect((await post("/api/labs/demo/link", "not json")).status).toBe(400);
    expect((await post("/api/labs/demo/ping", JSON.stringify({ from: "a" }))).status).toBe(400);
    expect(
      (await post("/api/labs/demo/ping", "from=a&to=b", "application/x-www-form-urlencoded")).status,
    ).toBe(400);
    expect(
      (await post("/api/labs/demo/ping", JSON.stringify({ from: "a", to: "x".repeat(20_000) }))).status,
    ).toBe(413);
    const ping = await post("/api/labs/demo/ping", JSON.stringify({ from: "a", to: "b" }));
    expect(ping.status).toBe(200);
    expect(await ping.json()).toMatchObject({ ok: true, pair: { target: "10.0.0.2" } });
  });

  it("checkRequest: Host is compared without case, the token in constant time", () => {
    const base = { method: "GET", url: "/" };
    expect(
      checkRequest({ ...base, headers: new Headers({ host: `LOCALHOST:${PORT}`, cookie }) }, guard),
    ).toEqual({
      ok: true,
      via: "cookie",
    });
    expect(
      checkRequest(
        { ...base, headers: new Headers({ host: `127.0.0.1:${PORT}`, cookie: `${cookieName(PORT)}=` }) },
        guard,
      ),
    ).toMatchObject({ ok: false, status: 401 });
    expect(checkRequest({ ...base, headers: new Headers({}) }, guard)).toMatchObject({
      ok: false,
      status: 403,
    });
  });
});
