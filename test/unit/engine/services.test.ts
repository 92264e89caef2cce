/**
 * Shared host services: which plans need them and which labs hold them (the reference count is
 * the records of other labs, plus any `up` under way).
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  forwardingService,
  heldServices,
  ovsService,
  release,
  SERVICES,
  testControllerService,
} from "../../../src/engine/services/index.js";
import type { HostService, ServiceContext } from "../../../src/engine/services/service.js";
import { heldByOthers } from "../../../src/engine/services/users.js";
import { parseTopology } from "../../../src/model/load.js";
import { planUp } from "../../../src/plan/build.js";
import { stateDir } from "../../../src/state/dir.js";
import { newLabState, removeLab, saveLab } from "../../../src/state/store.js";

const ovs = parseTopology(
  "name: svc-ovs\nnodes:\n  a: {interfaces: {e0: 10.0.0.1/24}}\n  s: {kind: ovs-bridge}\nlinks:\n  - [a:e0, s:p0]\n",
);
const plain = parseTopology("name: svc-plain\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - [a:e0, b:e0]\n");
const host = { ovsKernelDatapath: false };

describe("shared host services", () => {
  it("Open vSwitch is needed by plans with OVS operations only", () => {
    expect(SERVICES).toContain(ovsService);
    expect(ovsService.neededBy(planUp(ovs, host))).toBe(true);
    expect(ovsService.neededBy(planUp(plain, host))).toBe(false);
  });

  it("a lab holds it by its record, or (found without one) by the OVS bridges it owns", () => {
    expect(heldServices(newLabState(ovs, []), [])).toEqual([ovsService]);
    expect(heldServices(newLabState(plain, []), [])).toEqual([]);
    expect(heldServices(undefined, [{ kind: "ovs-bridge", name: "s" }])).toEqual([ovsService]);
    expect(heldServices(undefined, [{ kind: "netns", name: "a" }])).toEqual([]);
  });

  it("counts the other labs whose records hold it", () => {
    saveLab(newLabState(ovs, []));
    try {
      expect(heldByOthers(ovsService, "someone-else")).toBe(true);
      expect(heldByOthers(ovsService, ovs.name)).toBe(false);
    } finally {
      removeLab(ovs.name);
    }
    expect(heldByOthers(ovsService, undefined)).toBe(false);
  });

  it("release skips the services with nothing recorded (unused), and only those", async () => {
    const released: string[] = [];
    const service = (name: string, unused?: boolean): HostService => ({
      name,
      neededBy: () => false,
      heldBy: () => false,
      neededToRemove: () => false,
      acquire: async () => ({ started: false }),
      release: async () => {
        released.push(name);
      },
      health: async () => undefined,
      ...(unused === undefined ? {} : { unused: () => unused }),
    });
    const ctx = { lab: "svc-release" } as ServiceContext;
    await release([service("a", true), service("b", false), service("c")], ctx);
    expect(released).toEqual(["c", "b"]); // in reverse order, without a
  });

  it("a service is unused until it has a record, or a temp file of one", () => {
    const cases = [
      [ovsService, "ovs.json"],
      [forwardingService, "forwarding.json"],
      [testControllerService, "ovs-testcontroller.json"],
    ] as const;
    for (const [s, name] of cases) {
      const file = join(stateDir(), name);
      expect(s.unused?.(), s.name).toBe(true);
      for (const made of [file, `${file}.tmp.4194304`]) {
        writeFileSync(made, "{}");
        try {
          expect(s.unused?.(), `${s.name} with ${made}`).toBe(false);
        } finally {
          rmSync(made);
        }
      }
      expect(s.unused?.(), s.name).toBe(true);
    }
  });
});
