/** A big lab's view: its record without source positions, used only while the record is unchanged. */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { generatedTopology } from "../../../src/model/generated.js";
import { parseTopology } from "../../../src/model/load.js";
import type { LabState } from "../../../src/state/store.js";
import { newLabState } from "../../../src/state/store.js";
import { parseView, parseViewHead, VIEW_FROM_BYTES, viewText } from "../../../src/state/view.js";
import { tempStateDir } from "../../support/state-dir.js";

const testRoot = tempStateDir("view");

/** `value` with every `src` and `at` member left out. */
function stripped(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripped);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== "src" && k !== "at")
        .map(([k, v]) => [k, stripped(v)]),
    );
  return value;
}

/** A fresh copy of the store (no record kept in memory from an earlier read). */
const freshStore = () => {
  vi.resetModules();
  return import("../../../src/state/store.js");
};

/** A record big enough to get a view. */
function bigRecord(): LabState {
  const state = {
    ...newLabState(generatedTopology("single,800", { name: "v1", prefix: "v1" }), []),
    status: "up" as const,
  };
  expect(JSON.stringify(state, null, 1).length).toBeGreaterThan(VIEW_FROM_BYTES);
  return state;
}

describe("viewText and parseView", () => {
  const state = newLabState(
    parseTopology("name: s1\nnodes: {a: {interfaces: {e0: 10.0.0.1/24}}, b: {}}\nlinks:\n  - [a:e0, b:e0]\n"),
    [{ kind: "netns", name: "a" }],
  );

  it("keep the record as it is but for the topology's source positions", () => {
    expect(JSON.stringify(state.topology)).toContain('"src"');
    const back = parseView<LabState>(viewText(state, "k1"), "k1");
    expect(back).toEqual(stripped(state));
    expect(back?.owned).toEqual(state.owned);
    expect(JSON.stringify(back)).not.toMatch(/"(src|at)":/);
  });

  it("put the kernel names of the nodes first, read without the record", () => {
    const head = parseViewHead<LabState>(viewText(state, "k1"), "k1");
    expect(head?.names).toEqual({ netns: ["a", "b"], rootLinks: [] });
    expect(head?.record()).toEqual(stripped(state));
  });

  it("refuse a view of another file, of another version, or not a view at all", () => {
    const text = viewText(state, "k1");
    expect(parseView(text, "k2")).toBeUndefined();
    expect(parseView(text.replace('"version":1', '"version":2'), "k1")).toBeUndefined();
    expect(parseView("{", "k1")).toBeUndefined();
    expect(parseView('{"version":1,"key":"k1"}', "k1")).toBeUndefined();
  });
});

describe("readLabShared of a big lab", () => {
  it("reads the view saveLab wrote, and the record again once it changed", async () => {
    const state = bigRecord();
    (await freshStore()).saveLab(state);
    const view = join(testRoot(), "views", "v1.json");
    expect(existsSync(view)).toBe(true);
    // Proof that the view is what is read: a change made to it (its key kept) shows.
    writeFileSync(view, readFileSync(view, "utf8").replace('"name":"h1"', '"name":"h1-from-the-view"'));
    const read = (await freshStore()).readLabShared("v1");
    expect(read?.topology.nodes.find((n) => n.name === "h1-from-the-view")).toBeDefined();
    expect(read?.topology.nodes[0]?.src).toBeUndefined();
    // The record replaced (another up): the view no longer matches it and is not used.
    const store = await freshStore();
    store.saveLab({ ...state, status: "dirty" });
    const again = (await freshStore()).readLabShared("v1");
    expect(again?.status).toBe("dirty");
    expect(again?.topology.nodes.find((n) => n.name === "h1-from-the-view")).toBeUndefined();
    store.removeLab("v1");
    expect(existsSync(view)).toBe(false);
  });

  it("makes the view of a record written without one (by an older nslab), equal to it but for positions", async () => {
    const state = bigRecord();
    const store = await freshStore();
    store.saveLab(state);
    rmSync(join(testRoot(), "views", "v1.json"));
    const whole = store.readLab("v1");
    const first = (await freshStore()).readLabShared("v1");
    expect(existsSync(join(testRoot(), "views", "v1.json"))).toBe(true);
    const second = (await freshStore()).readLabShared("v1");
    expect(second).toEqual(stripped(whole));
    expect(first).toEqual(whole); // the first reader parsed the record itself
  });

  it("has a dead writer's half-written view removed with the record's leftovers", async () => {
    const store = await freshStore();
    store.saveLab(bigRecord());
    const temp = join(testRoot(), "views", "v1.json.tmp.999999999");
    writeFileSync(temp, "{");
    expect(store.clearLeftovers("v1")).toEqual([temp]);
    expect(existsSync(temp)).toBe(false);
  });

  it("checks the names a view gives the kernel as strictly as a record's", async () => {
    const state = bigRecord();
    (await freshStore()).saveLab(state);
    const view = join(testRoot(), "views", "v1.json");
    writeFileSync(view, readFileSync(view, "utf8").replace('"netns":["v1h1"', '"netns":["../v1h1"'));
    await expect(freshStore().then((s) => s.readLabShared("v1"))).rejects.toThrow(
      /view of .* holds an invalid name: namespace name '\.\.\/v1h1' contains '\/'/,
    );
  });
});

describe("recordedNamespaces", () => {
  it("names other labs' namespaces, a big lab's from the first line of its view", async () => {
    const store = await freshStore();
    store.saveLab(bigRecord());
    store.saveLab(
      newLabState(parseTopology("name: small\nnodes: {sm-a: {}, sm-b: {}}\n"), [
        { kind: "netns", name: "sm-a" },
      ]),
    );
    // Proof that the view's first line is what is read: a name put there (its key kept) shows.
    const view = join(testRoot(), "views", "v1.json");
    writeFileSync(
      view,
      readFileSync(view, "utf8").replace('"netns":["v1h1"', '"netns":["v1-from-the-view","v1h1"'),
    );
    const names = (await freshStore()).recordedNamespaces();
    expect(names.has("v1-from-the-view")).toBe(true);
    expect(names.has("v1h800")).toBe(true);
    expect(names.has("sm-a") && names.has("sm-b")).toBe(true);
    expect(names.size).toBe(803);
    // Not the lab asked about.
    expect((await freshStore()).recordedNamespaces("v1")).toEqual(new Set(["sm-a", "sm-b"]));
    store.removeLab("v1");
    store.removeLab("small");
  });
});
