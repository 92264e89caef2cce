/**
 * The web view shows an OVS bridge's OpenFlow state live: a generated lab (`--topo single,2
 * --controller remote,…`) whose controller is not running shows the bridge's dpid, fail mode and the
 * controller not connected; the test then starts Debian's ovs-testcontroller on that port and the
 * open page turns it connected (no reload), a ping from the UI goes through the controller's flows,
 * and with the controller stopped (by its pid) the page shows it not connected again.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canTouchKernel, eventually, kernelSnapshot, mustRun, nslab, uniqueTag } from "../support/kernel.js";
import { clickNode, haveChromium, openWeb, stop, untilLive, type WebPage } from "../support/web-page.js";

const TESTCONTROLLER = "/usr/bin/ovs-testcontroller";
const haveController = existsSync(TESTCONTROLLER);

describe.skipIf(!mustRun && (!canTouchKernel || !haveChromium || !haveController))(
  "OpenFlow state in the web view",
  () => {
    const tag = uniqueTag().slice(0, 4);
    const lab = `webof-${tag}`;
    const prefix = `w${tag}`;
    const port = 20000 + Math.floor(Math.random() * 20000);
    const target = `tcp:127.0.0.1:${port}`;
    let web: WebPage | undefined;
    let page: Page;
    let controller: ChildProcess | undefined;

    beforeAll(async () => {
      const up = nslab([
        "up",
        "--topo",
        "single,2",
        "--controller",
        `remote,ip=127.0.0.1,port=${port}`,
        // ovs-testcontroller 3.1's OpenFlow 1.5 packet-outs are refused (docs/sdn.md): 1.3.
        "--switch",
        "ovs,protocols=OpenFlow13",
        "--name",
        lab,
        "--prefix",
        prefix,
      ]);
      expect(up.code, up.stderr).toBe(0);
      web = await openWeb(lab);
      page = web.page;
    });

    afterAll(async () => {
      if (controller) await stop(controller);
      await web?.close();
      expect(nslab(["down", lab]).code).toBe(0);
      const mine = (name: string) => name.startsWith(prefix) || name === lab;
      const empty = { netns: [], rootLinks: [], ovsBridges: [], state: [], labFileSystems: [], etcNetns: [] };
      await eventually(() => kernelSnapshot(mine).rootLinks.length === 0);
      expect(kernelSnapshot(mine)).toEqual(empty);
    });

    const controllerRow = () => page.locator(`#details .controller[data-target="${target}"]`);

    it("shows the bridge's dpid, fail mode, versions and its controller not connected", async () => {
      await page.goto(web!.url);
      await untilLive(page);
      await clickNode(page, "s1");
      await expect.poll(() => page.textContent('#details [data-of="dpid"]')).toBe("0000000000000001");
      expect(await page.textContent('#details [data-of="fail-mode"]')).toMatch(/^secure/);
      expect(await page.textContent('#details [data-of="protocols"]')).toBe("OpenFlow13");
      expect(await controllerRow().getAttribute("data-connected")).toBe("false");
      expect(await controllerRow().textContent()).toContain("not connected");
    });

    it("turns the controller connected live when it starts; a ping from the UI goes through it", async () => {
      controller = spawn(TESTCONTROLLER, [`ptcp:${port}:127.0.0.1`], { stdio: "ignore" });
      // OVS retries with a back-off of up to 8 s, then reports within its status refresh.
      await expect
        .poll(() => controllerRow().getAttribute("data-connected"), { timeout: 40_000, interval: 250 })
        .toBe("true");
      expect(await page.textContent('#details [data-of="summary"]')).toMatch(/^connected/);
      await page.fill("#ping-from", "h1");
      await page.fill("#ping-to", "h2");
      await page.click("#ping-run");
      const result = page.locator("#ping-result[data-ok]");
      await result.waitFor({ timeout: 20_000 });
      expect(await result.getAttribute("data-ok"), (await result.textContent()) ?? "").toBe("true");
    });

    it("shows it not connected again when the controller stops", async () => {
      await stop(controller!);
      await expect
        .poll(() => controllerRow().getAttribute("data-connected"), { timeout: 40_000, interval: 250 })
        .toBe("false");
    });
  },
);
