/**
 * `up` on a running lab with an edited topology changes it in place — additions, removals,
 * changed addresses and MTUs — and a failed or interrupted change leaves the running lab exactly
 * as it was (still answering).
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  canTouchKernel,
  inNs,
  mustRun,
  nslab,
  nslabOk,
  scopedSnapshot,
  startNslab,
  uniqueTag,
} from "../../support/kernel.js";

const tag = uniqueTag().slice(1, 5);
const name = `inc-${tag}`;
const prefix = `u${tag}-`;
const file = join(tmpdir(), `${name}.yaml`);

const v1 = `name: ${name}
nodes:
  a: {interfaces: {e0: 10.50.0.1/24, p0: 10.51.0.1/30}}
  b: {interfaces: {e0: 10.50.0.2/24, p0: 10.51.0.2/30}}
  c: {interfaces: {e0: 10.50.0.3/24}}
  br: {kind: bridge}
  sw: {kind: ovs-bridge}
links:
  - [a:e0, br:pa]
  - [b:e0, br:pb]
  - [c:e0, sw:pc]
  - [br:bu, sw:su]
  - [a:p0, b:p0]
`;
// v2: d added on the OVS bridge; c's address changed; the a–b link gets MTU 9000 (re-created);
// b gets a route; nothing else moves.
const v2 = `name: ${name}
nodes:
  a: {interfaces: {e0: 10.50.0.1/24, p0: 10.51.0.1/30}}
  b: {interfaces: {e0: 10.50.0.2/24, p0: 10.51.0.2/30}, routes: [{to: 10.99.0.0/16, via: 10.51.0.1}]}
  c: {interfaces: {e0: 10.50.0.33/24}}
  d: {interfaces: {e0: 10.50.0.4/24}}
  br: {kind: bridge}
  sw: {kind: ovs-bridge}
links:
  - [a:e0, br:pa]
  - [b:e0, br:pb]
  - [c:e0, sw:pc]
  - [d:e0, sw:pd]
  - [br:bu, sw:su]
  - {endpoints: [a:p0, b:p0], mtu: 9000}
`;

afterAll(() => {
  nslab(["down", name]);
});

describe.skipIf(!canTouchKernel && !mustRun)("changing a running lab in place", () => {
  it("applies additions, removals and changed settings, and can go back", () => {
    const before = scopedSnapshot(prefix, name);
    writeFileSync(file, v1);
    nslabOk(["up", file, "--prefix", prefix]);
    writeFileSync(file, v2);
    const r = nslab(["up", file, "--prefix", prefix]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/was changed in place/);
    nslabOk(["ping", name]);
    expect(inNs(`${prefix}a`, ["ip", "-br", "link", "show", "p0"]).stdout).toMatch(/UP/);
    expect(inNs(`${prefix}a`, ["cat", "/sys/class/net/p0/mtu"]).stdout.trim()).toBe("9000");
    expect(inNs(`${prefix}c`, ["ip", "-br", "addr", "show", "e0"]).stdout).toMatch(/10\.50\.0\.33\/24/);
    expect(inNs(`${prefix}c`, ["ip", "-br", "addr", "show", "e0"]).stdout).not.toMatch(/10\.50\.0\.3\//);
    expect(inNs(`${prefix}b`, ["ip", "route", "show", "10.99.0.0/16"]).stdout).toMatch(/via 10\.51\.0\.1/);
    // And back to v1.
    writeFileSync(file, v1);
    nslabOk(["up", file, "--prefix", prefix]);
    nslabOk(["ping", name]);
    expect(scopedSnapshot(prefix, name).netns).not.toContain(`${prefix}d`);
    expect(inNs(`${prefix}a`, ["cat", "/sys/class/net/p0/mtu"]).stdout.trim()).toBe("1500");
    nslabOk(["down", name]);
    expect(scopedSnapshot(prefix, name)).toEqual(before);
  });

  it("a failed change (at every step) leaves the running lab as it was", () => {
    writeFileSync(file, v1);
    nslabOk(["up", file, "--prefix", prefix]);
    const running = scopedSnapshot(prefix, name);
    writeFileSync(file, v2);
    for (const at of [1, 3, 6, 9]) {
      const r = nslab(["up", file, "--prefix", prefix], { env: { NSLAB_TEST_FAULTS: `fail-op=${at}` } });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/restoring lab '.*' as it was/);
      expect(JSON.stringify(scopedSnapshot(prefix, name)), `fault at ${at}: ${r.stderr}`).toEqual(
        JSON.stringify(running),
      );
      nslabOk(["ping", name]);
      expect(JSON.parse(nslab(["status", name, "--json"]).stdout).status).toBe("up");
    }
  });

  it("an interrupted change leaves the running lab as it was", async () => {
    const running = scopedSnapshot(prefix, name);
    const cli = startNslab(["up", file, "--prefix", prefix], { NSLAB_TEST_FAULTS: "pause-op=4" });
    await cli.waitFor("paused before operation 4");
    cli.child.kill("SIGINT");
    const r = await cli.exited;
    expect(r.code, r.stderr).toBe(130);
    expect(scopedSnapshot(prefix, name)).toEqual(running);
    nslabOk(["ping", name]);
    nslabOk(["down", name]);
  });
});
