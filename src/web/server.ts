/**
 * `nslab web`: serve the live view of labs on a loopback address, behind a random access token.
 * Starts the HTTP server, prints nothing itself: the caller gets the URL (with the token) back.
 */
import type { AddressInfo } from "node:net";
import { isIPv4 } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { NslabError } from "../errors.js";
import { libraryApi, type WebApi } from "./api.js";
import { createApp } from "./app.js";
import { loadAssets } from "./assets.js";
import { cookieName, type GuardConfig, newToken } from "./auth.js";

export interface WebOptions {
  /** The lab the page opens on; without it, the list of labs. */
  lab?: string;
  /** A loopback address: 127.0.0.1 (default), another 127.x.y.z, ::1 or localhost. */
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  /** The access token (default: a fresh random one). */
  token?: string;
  /** The operations behind the page (default: the library). */
  api?: WebApi;
  /** How often watched labs are observed (ms, default 1000). */
  intervalMs?: number;
}

/** A running web view. */
export interface WebServer {
  /** The page's address, token included: open this. */
  url: string;
  /** The address without the token. */
  origin: string;
  host: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Loopback only: the guard's Host check could not protect a server reachable from elsewhere. */
function loopback(host: string): string {
  const h = host.toLowerCase();
  if (h === "localhost") return "127.0.0.1";
  if (h === "::1" || h === "[::1]") return "::1";
  if (isIPv4(h) && h.startsWith("127.")) return h;
  throw new NslabError("E_USAGE", `nslab web serves on loopback addresses only, not '${host}'`, {
    hint: "use 127.0.0.1 (the default) or ::1; reach it from elsewhere through an SSH tunnel",
  });
}

/** Start the web view; resolves once it listens. */
export async function startWeb(options: WebOptions = {}): Promise<WebServer> {
  const address = loopback(options.host ?? "127.0.0.1");
  const token = options.token ?? newToken();
  const api = options.api ?? libraryApi();
  let guard: GuardConfig | undefined;
  const { app, live, warm } = createApp({
    api,
    guard: () => {
      if (!guard) throw new Error("the web server is not listening yet");
      return guard;
    },
    assets: loadAssets(),
    ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}),
  });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: address });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new NslabError(
          e.code === "EADDRINUSE" ? "E_USAGE" : "E_ENV",
          e.code === "EADDRINUSE"
            ? `port ${options.port} on ${address} is in use`
            : `cannot listen on ${address}: ${e.message}`,
          { hint: "choose another --port, or leave it out to use any free port", cause: e },
        ),
      ),
    );
    server.listen(options.port ?? 0, address, () => resolve((server.address() as AddressInfo).port));
  });
  // Prepare the page's graph answer (read, laid out, packed, serialised, compressed: most of a
  // second for 10,000 hosts) while the browser starts: after the address is printed.
  const lab = options.lab;
  if (lab) setImmediate(() => warm(lab));
  const urlHost = address.includes(":") ? `[${address}]` : address;
  guard = { token, hosts: [`${urlHost}:${port}`, `localhost:${port}`], cookie: cookieName(port) };
  const origin = `http://${urlHost}:${port}`;
  const path = options.lab ? `/labs/${encodeURIComponent(options.lab)}` : "/";
  let closed: Promise<void> | undefined;
  return {
    url: `${origin}${path}?token=${token}`,
    origin,
    host: address,
    port,
    token,
    close() {
      closed ??= (async () => {
        live.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Open event streams would keep close() waiting forever.
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        await api.close();
      })();
      return closed;
    },
  };
}
