/**
 * Reserved keys (`__proto__`, `constructor`, `prototype`: src/util/keys.ts) in every form a topology
 * comes in — nslab YAML (both readers), containerlab files (node names, endpoints' interfaces, exec
 * lines), objects built in code, the builder — are refused with a located problem, and never change
 * a built-in prototype. Found by the containerlab fuzz test: an endpoint `h1:__proto__` with an
 * address wrote `addresses` into Object.prototype, and every topology loaded after it in the same
 * process was refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  defineTopology,
  loadTopology,
  planLab,
  TopologyError,
  topologyFromObject,
} from "../../../src/index.js";
import { getOwn, RESERVED_KEYS, reservedKeyPaths, setOwn } from "../../../src/util/keys.js";
import { checkPrototypes } from "../../support/fuzz.js";

const dir = mkdtempSync(join(tmpdir(), "nslab-reserved-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => checkPrototypes());
let n = 0;

/** The problems of loading `text` as the file `name`; fails when it loads. */
async function problemsOf(name: string, text: string) {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, text);
  const e = await loadTopology(path, { log: () => {} }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TopologyError);
  const problems = (e as TopologyError).problems;
  for (const p of problems) {
    expect(p.location?.file).toBe(path);
    expect(p.location?.line).toBeGreaterThanOrEqual(1);
  }
  return problems.map((p) => ({ message: p.message, line: p.location?.line }));
}

const NAMES = [...RESERVED_KEYS];

describe("reserved keys in topology files", () => {
  it.each(NAMES)("nslab YAML: %s as a node, an interface (block and flow), a sysctl", async (x) => {
    const reserved = `the key '${x}' is not allowed (__proto__, constructor and prototype are reserved)`;
    expect(
      await problemsOf("a.yaml", `name: t\nnodes:\n  ${x}: {}\n  b: {}\nlinks: [[b:eth0, b:eth1]]\n`),
    ).toContainEqual({
      message: reserved,
      line: 3,
    });
    expect(
      await problemsOf(
        "b.yaml",
        `name: t\nnodes:\n  a:\n    interfaces:\n      ${x}: 10.0.0.1/24\n  b: {}\n`,
      ),
    ).toContainEqual({ message: reserved, line: 5 });
    expect(
      await problemsOf("c.yaml", `name: t\nnodes: {a: {interfaces: {${x}: 10.0.0.1/24}}, b: {}}\n`),
    ).toContainEqual({
      message: reserved,
      line: 2,
    });
    expect(await problemsOf("d.yaml", `name: t\nnodes:\n  a:\n    sysctls:\n      ${x}: 1\n`)).toContainEqual(
      { message: reserved, line: 5 },
    );
  });

  it.each(NAMES)("containerlab: an endpoint's interface %s, with and without settings", async (x) => {
    const lab = (link: string) =>
      `name: t\ntopology:\n  nodes:\n    a: {kind: linux}\n    b: {kind: linux}\n  links:\n${link}`;
    const message = `interface name '${x}' is not allowed (__proto__, constructor and prototype are reserved)`;
    // The address, the brief form
    expect(
      await problemsOf(
        "a.clab.yml",
        lab(`    - endpoints: [a:${x}, b:eth1]\n      ipv4: [10.0.0.1/24, 10.0.0.2/24]\n`),
      ),
    ).toEqual([{ message, line: 7 }]);
    // A MAC address, the extended form
    expect(
      await problemsOf(
        "b.clab.yml",
        lab(
          `    - type: veth\n      endpoints:\n        - {node: a, interface: ${x}, mac: "02:00:00:00:00:01"}\n        - {node: b, interface: eth1}\n`,
        ),
      ),
    ).toEqual([{ message, line: 9 }]);
    // No settings at all: the link alone
    expect(await problemsOf("c.clab.yml", lab(`    - endpoints: [a:${x}, b:eth1]\n`))).toEqual([
      { message, line: 7 },
    ]);
  });

  it.each(NAMES)("containerlab: exec lines naming %s (a sysctl, an interface)", async (x) => {
    const lab = (exec: string) =>
      `name: t\ntopology:\n  nodes:\n    a: {kind: linux, exec: ["${exec}"]}\n    b: {kind: linux}\n  links:\n    - endpoints: [a:eth1, b:eth1]\n`;
    expect(await problemsOf("a.clab.yml", lab(`sysctl -w ${x}=1`))).toEqual([
      {
        message: `the key '${x}' is not allowed (__proto__, constructor and prototype are reserved)`,
        line: 4,
      },
    ]);
    // An interface the node has no link for: skipped with a warning, as any other.
    const warnings: string[] = [];
    const path = join(dir, `${n++}-e.clab.yml`);
    writeFileSync(path, lab(`ip addr add 10.0.0.1/24 dev ${x}`));
    const t = await loadTopology(path, { log: (_level, m) => warnings.push(m) });
    expect(t.nodes.find((node) => node.name === "a")?.kind).toBe("netns");
    expect(warnings.join("\n")).toContain(`${x} is not a link of node 'a'`);
  });

  it("containerlab: a node's group or kind named __proto__ is not found, not Object.prototype", async () => {
    const problems = await problemsOf(
      "g.clab.yml",
      "name: t\ntopology:\n  nodes:\n    a: {kind: linux, group: __proto__}\n    b: {kind: toString}\n",
    );
    expect(problems.map((p) => p.message).join("\n")).toMatch(/group '__proto__'/);
    expect(problems.map((p) => p.message).join("\n")).toMatch(/kind 'toString', which nslab cannot import/);
  });
});

describe("reserved keys in topologies built in code", () => {
  it.each(NAMES)("objects: %s as a node, an interface, a sysctl, each at its path", (x) => {
    const cases: Array<[string, string[]]> = [
      [`{"name":"t","nodes":{"${x}":{},"b":{}}}`, ["nodes", x]],
      [`{"name":"t","nodes":{"a":{"interfaces":{"${x}":"10.0.0.1/24"}}}}`, ["nodes", "a", "interfaces", x]],
      [`{"name":"t","nodes":{"a":{"sysctls":{"${x}":"1"}}}}`, ["nodes", "a", "sysctls", x]],
    ];
    for (const [json, path] of cases) {
      // JSON.parse makes `__proto__` an own key, as a program reading JSON would hand it over.
      const e = (() => {
        try {
          topologyFromObject(JSON.parse(json));
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(TopologyError);
      expect((e as TopologyError).problems).toEqual([
        {
          message: `the key '${x}' is not allowed (__proto__, constructor and prototype are reserved)`,
          location: { file: "<object>", line: 0, column: 0, path },
          hint: "rename it",
        },
      ]);
    }
  });

  it.each(NAMES)("the builder: %s as a node, an interface, a sysctl, a top-level field, at the call", (x) => {
    const builds = [
      () => defineTopology("t").node(x).node("b"),
      () => defineTopology("t").node("a").address(`a:${x}`, "10.0.0.1/24"),
      () => defineTopology("t").node("a").sysctl("a", x, 1),
      () =>
        defineTopology("t")
          .node("a")
          .set(JSON.parse(`{"${x}": {"a": 1}}`)),
    ];
    for (const build of builds) {
      const b = build();
      expect(() => b.toTopology()).toThrow(TopologyError);
      try {
        b.toTopology();
      } catch (e) {
        const [p] = (e as TopologyError).problems;
        expect(p?.message).toMatch(`the key '${x}' is not allowed`);
        expect(p?.location?.file).toBe(import.meta.filename);
      }
    }
  });
});

describe("host facts are read by own keys only", () => {
  // An owner named like an Object.prototype member: it used to be found on every accounts object.
  const lab = defineTopology("t")
    .node("a", {
      services: { s: { command: ["constructor", "-x"] } },
      files: { "/etc/x": { content: "x", owner: "constructor:toString" } },
    })
    .toTopology();
  it("an owner 'constructor:toString' the host's accounts lack is reported", () => {
    const host = {
      ovsKernelDatapath: false,
      nodeEnv: true,
      programs: { constructor: "/usr/bin/constructor" },
      paths: { "/etc/x": { canonical: "/etc/x", type: "missing" as const, existing: "/etc" } },
      mounts: [],
      accounts: { users: { root: { uid: 0, gid: 0 } }, groups: { root: 0 } },
    };
    expect(() => planLab(lab, host)).toThrow(/owned by user 'constructor' and group 'toString'/);
  });
});

describe("keys.ts", () => {
  it("setOwn writes own properties, getOwn reads only them, reservedKeyPaths finds them at any depth", () => {
    const o: Record<string, unknown> = {};
    setOwn(o, "__proto__", { polluted: true });
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(["__proto__"]);
    expect(getOwn({}, "constructor")).toBeUndefined();
    expect(getOwn(o, "__proto__")).toEqual({ polluted: true });
    expect(reservedKeyPaths({ a: [{ b: o }], c: JSON.parse('{"constructor": 1}') })).toEqual([
      ["a", 0, "b", "__proto__"],
      ["c", "constructor"],
    ]);
  });
});
