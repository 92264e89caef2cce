/**
 * A record read early and again under the lab's lock (`up`): parsed once when its file is the same
 * one, read again when another process replaced it in between.
 */
import { describe, expect, it } from "vitest";
import { parseTopology } from "../../../src/model/load.js";
import { newLabState, readLabAgain, readLabKeyed, saveLab } from "../../../src/state/store.js";
import { tempStateDir } from "../../support/state-dir.js";

tempStateDir("keyed");

const topo = () =>
  parseTopology("name: kd\nnodes:\n  a: {}\n  b: {}\nlinks: [[a:eth0, b:eth0]]\n", { file: "kd.yaml" });

describe("readLabKeyed / readLabAgain", () => {
  it("no record: nothing, and nothing to reuse", () => {
    const read = readLabKeyed("kd");
    expect(read).toEqual({ state: undefined, key: undefined });
    expect(readLabAgain("kd", read).state).toBeUndefined();
  });

  it("the same file: the same object; a record written since: the new one", () => {
    saveLab(newLabState(topo(), [{ kind: "netns", name: "a" }]));
    const read = readLabKeyed("kd");
    expect(read.state?.owned).toEqual([{ kind: "netns", name: "a" }]);
    expect(readLabAgain("kd", read)).toBe(read);
    saveLab({ ...read.state!, owned: [{ kind: "netns", name: "b" }] });
    const again = readLabAgain("kd", read);
    expect(again).not.toBe(read);
    expect(again.state?.owned).toEqual([{ kind: "netns", name: "b" }]);
    expect(readLabAgain("kd", undefined).state?.owned).toEqual([{ kind: "netns", name: "b" }]);
  });
});
