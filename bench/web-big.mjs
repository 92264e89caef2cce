/**
 * The web view of a big lab in headless Chromium, as the browser tests drive it: for each given
 * nslab build (main's and a branch's, interleaved), `nslab web LAB` is started, the page opened
 * as soon as the address is printed, and the page's own marks taken (ms since navigation: its
 * script running, the graph requested and received, drawn, on the screen — older builds lack this
 * one — and live), with the graph request's time as the browser saw it, then the observation
 * times the page shows for ~10 s (`observed in N ms`). Each run prints one JSON line, the load
 * average at its start included. The lab must be up. Usage:
 *   node bench/web-big.mjs LAB ROUNDS CLI… (CLI: path of dist/bin/nslab.js)
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const CHROMIUM = process.env.NSLAB_CHROMIUM || "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"];

/** Why the web view cannot be measured here (no Chromium, no playwright-core), or undefined. */
export async function webUnavailable() {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (NSLAB_CHROMIUM)`;
  try {
    await import("playwright-core");
    return undefined;
  } catch {
    return "playwright-core is not installed (npm ci)";
  }
}

/** One run: `nslab web LAB` of the build whose launcher is `cli`, opened in headless Chromium. */
export async function webOnce(cli, lab) {
  const { chromium } = await import("playwright-core");
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  const started = Date.now();
  const server = spawn(process.execPath, [cli, "web", lab, "--port", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((resolve) => server.once("exit", resolve));
  try {
    return await measure(chromium, server, started, load);
  } finally {
    server.kill("SIGTERM");
    await exited;
  }
}

async function measure(chromium, server, started, load) {
  const url = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (b) => {
      out += b;
      const line = out.split("\n").find((l) => l.startsWith("http://"));
      if (line) resolve(line.trim());
    });
    server.once("exit", (c) => reject(new Error(`nslab web exited ${c}`)));
  });
  const urlMs = Date.now() - started;
  const profile = mkdtempSync(join(tmpdir(), "nslab-bench-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 720 },
  });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(url);
    await page.waitForFunction(() => globalThis.nslab?.timings?.live !== undefined, null, {
      timeout: 120_000,
    });
    const t = await page.evaluate(() => globalThis.nslab.timings);
    const graphRequest = await page.evaluate(() => {
      const e = performance.getEntriesByType("resource").find((r) => /\/graph(\?|$)/.test(r.name));
      return e ? { ms: Math.round(e.responseEnd - e.startTime), bytes: e.encodedBodySize } : undefined;
    });
    const seen = [];
    const until = Date.now() + 10_000;
    let last = "";
    while (Date.now() < until) {
      const text = (await page.textContent("#live")) ?? "";
      if (text !== last) {
        last = text;
        const m = text.match(/observed in (\d+) ms/);
        if (m) seen.push(Number(m[1]));
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const rss = Number(readFileSync(`/proc/${server.pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
    return {
      load,
      urlMs,
      timings: t,
      graphRequest,
      drawn: t["graph-drawn"],
      painted: t["graph-painted"],
      live: t.live,
      observations: seen,
      serverRssMB: Math.round(rss / 1024),
    };
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [lab, rounds = "1", ...clis] = process.argv.slice(2);
  for (let r = 0; r < Number(rounds); r++)
    for (const cli of clis) {
      const x = await webOnce(cli, lab);
      console.log(JSON.stringify({ cli, ...x }));
    }
}
