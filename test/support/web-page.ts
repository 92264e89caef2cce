/**
 * The web view under test in a real browser: `nslab web LAB` started on a free port (its URL with
 * the token read from its output), Debian's Chromium headless through playwright-core, clicking a
 * node where it is drawn, and closing both (the server by its pid).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { CLI } from "./kernel.js";

export const CHROMIUM = process.env.NSLAB_CHROMIUM || "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);

/** Chromium as root, headless, quiet: no sandbox (root), no GPU, no calls home, a fresh profile. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** A web server and a browser page on it. */
export interface WebPage {
  /** The URL `nslab web` printed (with its token). */
  url: string;
  page: Page;
  close(): Promise<void>;
}

/** Start `nslab web lab` and open a headless Chromium (not yet navigated). */
export async function openWeb(lab: string): Promise<WebPage> {
  const server = spawn(process.execPath, [CLI, "web", lab, "--port", "0"], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let browser: BrowserContext | undefined;
  let profile = "";
  const close = async () => {
    await browser?.close().catch(() => {});
    await stop(server);
    if (profile) rmSync(profile, { recursive: true, force: true });
  };
  try {
    const url = await printedUrl(server);
    profile = mkdtempSync(join(tmpdir(), "nslab-chromium-"));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 720 },
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    return { url, page, close };
  } catch (e) {
    await close();
    throw e;
  }
}

function printedUrl(server: ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`nslab web printed no URL: ${err}`)), 20_000);
    server.stderr?.on("data", (b: Buffer) => {
      err += b.toString();
    });
    server.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
      const line = out.split("\n").find((l) => l.startsWith("http://"));
      if (line) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    server.once("exit", (code) => reject(new Error(`nslab web exited (${code}): ${err}`)));
  });
}

/** Stop a child by its pid: SIGTERM, SIGKILL after 5 s. */
export async function stop(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(child.pid, "SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGKILL");
}

/** What a test reads in the page (tests are compiled without the DOM library). */
type PageGlobals = {
  nslab: {
    view: { renderedPosition(id: string): { x: number; y: number } | undefined };
    timings: Record<string, number>;
  };
  document: { getElementById(id: string): { getBoundingClientRect(): { left: number; top: number } } | null };
};

/** Wait until the page receives live state. */
export async function untilLive(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).nslab?.timings?.live !== undefined);
}

/** Click node `id` where it is drawn on the canvas; resolves when the panel shows it. */
export async function clickNode(page: Page, id: string): Promise<void> {
  const at = await page.evaluate((node) => {
    const g = globalThis as unknown as PageGlobals;
    const p = g.nslab.view.renderedPosition(node);
    if (!p) throw new Error(`node ${node} is not drawn`);
    const box = g.document.getElementById("graph")!.getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, id);
  await page.mouse.click(at.x, at.y);
  await page.locator("#details h3", { hasText: id }).waitFor();
}
