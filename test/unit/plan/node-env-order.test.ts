/**
 * Where the node environments' operations sit in a plan. The lab's file system and the nodes'
 * trees in it need no namespace: in a lab of more than 16 nodes they come first, and the driver
 * writes them (on their own channel) while the agent makes the namespaces; a small lab's plan
 * reads as the walkthrough does, namespaces first. The mount namespaces need their network
 * namespace: right after the namespaces, with the /etc/netns entries after them, all before any
 * link — applied while the agent makes the network, so that none of them is left for after it
 * (the /etc/netns entries used to be the plan's last operations, ~12 ms of the main thread after
 * the network's reply at 100 nodes).
 */
import { describe, expect, it } from "vitest";
import { parseTopology } from "../../../src/model/load.js";
import { planUp } from "../../../src/plan/build.js";
import { generatedYaml, generateTopology } from "../../../src/sources/mininet/index.js";

const host = { ovsKernelDatapath: false, nodeEnv: true };
const FILES = /^(labfs|nodefs)\./;
const MOUNTS = /^(mntns|etcnetns)\./;

/** The indexes of the operations whose names match `re`. */
const where = (ops: string[], re: RegExp) => ops.flatMap((op, i) => (re.test(op) ? [i] : []));

describe("node environments in the plan", () => {
  const opsOf = (spec: string) =>
    planUp(parseTopology(generatedYaml(generateTopology(spec), "test"), { file: "t.yaml" }), host).map(
      (o) => o.op,
    );

  it("a bigger lab: files before the namespaces, mount namespaces and /etc/netns entries after them, before any link", () => {
    const ops = opsOf("single,20");
    const files = where(ops, FILES);
    const mounts = where(ops, MOUNTS);
    const namespaces = where(ops, /^netns\.add$/);
    expect(namespaces).toHaveLength(20);
    // the file system and the trees: one run, first of all
    expect(ops[0]).toBe("labfs.mount");
    expect(files.at(-1)! - files[0]! + 1).toBe(files.length);
    expect(namespaces[0]).toBe(files.at(-1)! + 1);
    // the mount namespaces, then the /etc/netns entries: one run, right after the last namespace
    expect(mounts).toHaveLength(40);
    expect(mounts[0]).toBe(namespaces.at(-1)! + 1);
    expect(mounts.at(-1)! - mounts[0]! + 1).toBe(mounts.length);
    expect(ops.indexOf("etcnetns.add")).toBeGreaterThan(ops.lastIndexOf("mntns.add"));
    const firstLink = ops.findIndex((op) => op.startsWith("link.") || op.startsWith("veth."));
    expect(firstLink).toBeGreaterThan(mounts.at(-1)!);
  });

  it("a small lab reads as the walkthrough: the namespaces first, then the files and mounts, before any link", () => {
    const ops = opsOf("single,3");
    const env = where(ops, /^(labfs|nodefs|mntns|etcnetns)\./);
    expect(ops.slice(0, 3)).toEqual(["netns.add", "netns.add", "netns.add"]);
    expect(env[0]).toBe(3);
    expect(env.at(-1)! - env[0]! + 1).toBe(env.length);
    expect(ops.indexOf("etcnetns.add")).toBeGreaterThan(ops.lastIndexOf("mntns.add"));
    const firstLink = ops.findIndex((op) => op.startsWith("link.") || op.startsWith("veth."));
    expect(firstLink).toBeGreaterThan(env.at(-1)!);
  });
});
