/**
 * Who may talk to the web view: only this machine's browser, holding the token printed at start.
 * Every request is checked for a loopback Host (DNS rebinding), a same-origin Origin and
 * Sec-Fetch-Site (other sites, and other ports of 127.0.0.1, which browsers count as the same
 * site), and the token (query on the first page load, then an HttpOnly SameSite=Strict cookie, or
 * a header for scripts). Pure: a request's method, URL and headers in, a verdict out.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

/** What the guard knows about the server. */
export interface GuardConfig {
  token: string;
  /** `host:port` values the server answers to, e.g. `127.0.0.1:8080`, `localhost:8080`. */
  hosts: readonly string[];
  /** The cookie that carries the token (one per port: cookies do not tell ports apart). */
  cookie: string;
}

/** A request as the guard sees it. */
export interface GuardRequest {
  method: string;
  url: string;
  headers: Headers;
}

export type Verdict =
  | { ok: true; via: "query" | "cookie" | "header" }
  | { ok: false; status: 401 | 403; reason: string };

/** A fresh random token (32 bytes, URL-safe). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** The cookie name for a server on `port`. */
export function cookieName(port: number): string {
  return `nslab_token_${port}`;
}

/** Methods that change nothing; everything else needs proof it comes from our own page. */
const SAFE = new Set(["GET", "HEAD"]);

/** Check one request. */
export function checkRequest(req: GuardRequest, config: GuardConfig): Verdict {
  const host = req.headers.get("host")?.toLowerCase();
  if (!host || !config.hosts.includes(host))
    return { ok: false, status: 403, reason: `unexpected Host '${host ?? ""}'` };
  const origin = req.headers.get("origin");
  const origins = config.hosts.map((h) => `http://${h}`);
  if (origin !== null && !origins.includes(origin.toLowerCase()))
    return { ok: false, status: 403, reason: `cross-origin request from '${origin}'` };
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none")
    return { ok: false, status: 403, reason: `cross-site request (Sec-Fetch-Site: ${site})` };

  const fromHeader = headerToken(req.headers);
  const fromCookie = cookieToken(req.headers.get("cookie"), config.cookie);
  const fromQuery = new URL(req.url, "http://localhost").searchParams.get("token");
  const via =
    fromHeader !== undefined ? "header" : fromCookie !== undefined ? "cookie" : fromQuery ? "query" : null;
  if (via === null) return { ok: false, status: 401, reason: "no access token" };
  const given = via === "header" ? fromHeader : via === "cookie" ? fromCookie : fromQuery;
  if (!sameToken(given ?? "", config.token)) return { ok: false, status: 401, reason: "wrong access token" };
  // A cookie rides along on any request the browser makes; a write must also show our Origin.
  if (!SAFE.has(req.method.toUpperCase()) && via !== "header" && origin === null)
    return { ok: false, status: 403, reason: "a write request without an Origin header" };
  return { ok: true, via };
}

function headerToken(h: Headers): string | undefined {
  const auth = h.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) return auth.slice(7).trim();
  return h.get("x-nslab-token") ?? undefined;
}

function cookieToken(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The Set-Cookie value that keeps the token in the browser (not readable by scripts). */
export function tokenCookie(config: GuardConfig): string {
  return `${config.cookie}=${config.token}; HttpOnly; SameSite=Strict; Path=/`;
}
