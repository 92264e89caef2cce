/**
 * containerlab binds → node files: a bound file or directory is seen at its container path inside
 * the node (a copy: the host's is never written); an FRR router's frr.conf and daemons stay its
 * `frr:`; a bind to a path that does not exist, a malformed one and one target bound twice are
 * errors at the bind; `rw` (writes reaching the host) is said; bridges' binds stay ignored.
 */
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem, TopologyError } from "../../../src/errors.js";
import { loadTopology } from "../../../src/model/load.js";
import type { NetnsNode } from "../../../src/model/types.js";
import { convertClabText, loadClabFile } from "../../../src/sources/clab/index.js";
import { silentLogger } from "../../../src/util/logger.js";

const DIR = resolve("test/fixtures/clab/binds");
const FILE = join(DIR, "binds.clab.yml");

async function problemsOf(text: string): Promise<TopologyError> {
  const { writeFileSync, mkdtempSync, cpSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "nslab-binds-"));
  try {
    cpSync(DIR, dir, { recursive: true });
    writeFileSync(join(dir, "binds.clab.yml"), text);
    await loadTopology(join(dir, "binds.clab.yml"), { log: silentLogger });
  } catch (e) {
    if (e instanceof TopologyError) return e;
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error("expected a TopologyError");
}

describe("containerlab binds", () => {
  it("become the node's files: files and directories, inherited from groups, beside an FRR router's own", async () => {
    const r = await loadClabFile(FILE);
    expect(r.document.nodes).toMatchObject({
      web: {
        files: {
          "/srv/site/index.html": "site/index.html",
          "/usr/share/nginx/html": "site",
          "/etc/app/conf.d": "conf.d",
        },
      },
      r1: { kind: "router", frr: { config: "r1.conf" }, files: { "/etc/motd": "motd.txt" } },
      sw: { kind: "bridge" },
    });
    expect((r.document.nodes as Record<string, object>).sw).not.toHaveProperty("files");
    const warnings = r.warnings.map(formatProblem);
    // rw is said (the node's writes stay in the node); the bridge's binds and web's image are ignored.
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /binds\.clab\.yml:22:11 .*bind 'motd\.txt:\/etc\/motd:rw' of node 'r1': the node sees a copy of motd\.txt; what it writes there stays in the node/,
        ),
        expect.stringMatching(/'binds' is ignored for node sw: /),
        expect.stringMatching(/'image' is ignored for node web: /),
      ]),
    );
    expect(warnings).toHaveLength(3);

    const t = await loadTopology(FILE, { log: silentLogger });
    const web = t.nodes.find((n) => n.name === "web") as NetnsNode;
    expect(web.files).toEqual([
      expect.objectContaining({
        kind: "file",
        path: "/srv/site/index.html",
        from: { path: join(DIR, "site/index.html") },
      }),
      expect.objectContaining({
        kind: "dir",
        path: "/usr/share/nginx/html",
        from: { path: join(DIR, "site") },
      }),
      expect.objectContaining({ kind: "dir", path: "/etc/app/conf.d", from: { path: join(DIR, "conf.d") } }),
    ]);
    // Each file points back at its bind.
    expect(web.files![0]!.src).toMatchObject({ file: FILE, line: 15 });
    expect(web.files![2]!.src).toMatchObject({ file: FILE, line: 8 });
    const r1 = t.nodes.find((n) => n.name === "r1") as NetnsNode;
    expect(r1.frr?.config).toBe(join(DIR, "r1.conf"));
    expect(r1.files).toEqual([
      expect.objectContaining({ path: "/etc/motd", from: { path: join(DIR, "motd.txt") } }),
    ]);
  });

  it("a bind of a path that does not exist is an error at the bind", async () => {
    const text = (await import("node:fs"))
      .readFileSync(FILE, "utf8")
      .replace("site/index.html:", "site/gone.html:");
    const e = await problemsOf(text);
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]!.message).toMatch(/^files: source \S+\/site\/gone\.html does not exist$/);
    expect(e.problems[0]!.location).toMatchObject({ line: 15 });
    // A path that cannot name a file at all (ENAMETOOLONG: found by the fuzz test, seed 1644447353).
    const long = `${"x".repeat(300)}/config`;
    const e2 = await problemsOf(
      (await import("node:fs")).readFileSync(FILE, "utf8").replace("site/index.html:", `${long}:`),
    );
    expect(e2.problems[0]!.message).toMatch(/^files: source \S+\/x{300}\/config does not exist$/);
    expect(e2.problems[0]!.location).toMatchObject({ line: 15 });
  });

  it("a malformed bind, and one target bound twice, are errors at the bind", () => {
    const bad = (binds: string) =>
      convertClabText(
        `name: b\ntopology:\n  nodes:\n    a:\n      kind: linux\n      binds:\n${binds}`,
        "/labs/b.clab.yml",
      );
    expect(() => bad("        - just-a-path\n")).toThrow(
      /bind 'just-a-path' is not host-path:container-path\[:ro\|rw\]/,
    );
    expect(() => bad("        - a:/x:rx\n")).toThrow(/is not host-path:container-path/);
    // A map whose toString is a key (String() throws on it; found by the fuzz test, seed 1127761174).
    expect(() => bad('        - { toString: "" }\n')).toThrow(/bind '\{"toString":""\}' is not host-path/);
    try {
      bad("        - a.txt:/etc/a\n        - b.txt:/etc/a/\n");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TopologyError);
      const [p] = (e as TopologyError).problems;
      expect(p!.message).toBe("node 'a' binds /etc/a twice ('a.txt:/etc/a' and 'b.txt:/etc/a/')");
      expect(p!.location).toMatchObject({ file: "/labs/b.clab.yml", line: 8 });
    }
  });
});
