/**
 * Where the node environments' operations sit in a plan: right after the namespaces, before any
 * link — the driver applies them on their own channel while the agent makes the network, so that
 * none of them is left for after it (the /etc/netns entries used to be the plan's last operations,
 * ~12 ms of the main thread after the network's reply at 100 nodes).
 */
import { describe, expect, it } from "vitest";
import { parseTopology } from "../../../src/model/load.js";
import { planUp } from "../../../src/plan/build.js";
import { generatedYaml, generateTopology } from "../../../src/sources/mininet/index.js";

const host = { ovsKernelDatapath: false, nodeEnv: true };
const ENV = /^(labfs|nodefs|mntns|etcnetns)\./;

describe("node environments in the plan", () => {
  it("come as one run after the namespaces, the /etc/netns entries after the mount namespaces, before any link", () => {
    const t = parseTopology(generatedYaml(generateTopology("single,3"), "test"), { file: "single3.yaml" });
    const ops = planUp(t, host).map((o) => o.op);
    const env = ops.flatMap((op, i) => (ENV.test(op) ? [i] : []));
    expect(env.length).toBeGreaterThan(0);
    // one contiguous run, right after the last namespace
    expect(env.at(-1)! - env[0]! + 1).toBe(env.length);
    expect(env[0]).toBe(ops.lastIndexOf("netns.add") + 1);
    expect(ops.indexOf("etcnetns.add")).toBeGreaterThan(ops.lastIndexOf("mntns.add"));
    expect(ops.filter((op) => op === "etcnetns.add")).toHaveLength(3);
    const firstLink = ops.findIndex((op) => op.startsWith("link."));
    expect(firstLink).toBeGreaterThan(env.at(-1)!);
  });
});
