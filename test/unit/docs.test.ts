/**
 * The documentation stays true: every YAML block of README.md and docs/*.md is a valid topology
 * (nslab's or containerlab's), or says it is a fragment (`<!-- fragment -->` on the line before
 * it) and is then valid YAML; every relative link and image leads to a file (and heading) that
 * exists; every `nslab <command>` written in code exists in `nslab --help`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadTopology, parseTopology } from "../../src/model/load.js";

const PAGES = ["README.md", ...readdirSync("docs").flatMap((f) => (f.endsWith(".md") ? [`docs/${f}`] : []))];

interface Block {
  page: string;
  /** Line of the opening fence (1-based). */
  line: number;
  lang: string;
  text: string;
  fragment: boolean;
}

/** The fenced code blocks of a page. */
function codeBlocks(page: string): Block[] {
  const lines = readFileSync(page, "utf8").split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i]?.match(/^```(\S*)\s*$/);
    if (!open) continue;
    const end = lines.findIndex((l, k) => k > i && l.startsWith("```"));
    if (end < 0) throw new Error(`${page}:${i + 1}: a code block that never closes`);
    const before = lines
      .slice(0, i)
      .findLast((l) => l.trim() !== "")
      ?.trim();
    out.push({
      page,
      line: i + 1,
      lang: open[1] ?? "",
      text: `${lines.slice(i + 1, end).join("\n")}\n`,
      fragment: before === "<!-- fragment -->",
    });
    i = end;
  }
  return out;
}

/** The page's text outside fenced code blocks. */
function prose(page: string): string {
  return readFileSync(page, "utf8").replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
}

/** GitHub's anchor for a heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replaceAll(" ", "-");
}

function anchors(page: string): Set<string> {
  return new Set([...prose(page).matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1] ?? "")));
}

const yamlBlocks = PAGES.flatMap(codeBlocks).filter((b) => b.lang === "yaml");

describe("YAML in the documentation", () => {
  it("has blocks to check, most of them whole topologies", () => {
    expect(yamlBlocks.length).toBeGreaterThanOrEqual(8);
    expect(yamlBlocks.filter((b) => !b.fragment).length).toBeGreaterThanOrEqual(4);
    expect(yamlBlocks.some((b) => b.page === "README.md" && !b.fragment)).toBe(true);
  });

  it.each(yamlBlocks.map((b) => [`${b.page}:${b.line}${b.fragment ? " (fragment)" : ""}`, b] as const))(
    "%s",
    async (_name, b) => {
      if (b.fragment) {
        expect(typeof parse(b.text)).toBe("object");
        return;
      }
      if (/^topology:/m.test(b.text)) {
        // A containerlab file: loaded as `nslab up lab.clab.yml` loads it.
        const dir = mkdtempSync(join(tmpdir(), "nslab-docs-"));
        try {
          const file = join(dir, "lab.clab.yml");
          writeFileSync(file, b.text);
          expect((await loadTopology(file)).nodes.length).toBeGreaterThan(0);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        return;
      }
      expect(parseTopology(b.text, { file: `${b.page}:${b.line}` }).nodes.length).toBeGreaterThan(0);
    },
  );
});

describe("links in the documentation", () => {
  const links = PAGES.flatMap((page) =>
    [...prose(page).matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => ({ page, target: m[1] ?? "" })),
  ).filter((l) => !/^[a-z]+:/.test(l.target));

  it("has relative links to check", () => {
    expect(links.length).toBeGreaterThan(20);
  });

  it.each(links.map((l) => [`${l.page} → ${l.target}`, l] as const))("%s", (_name, l) => {
    const [path, anchor] = l.target.split("#") as [string, string | undefined];
    const file = path === "" ? l.page : normalize(join(dirname(l.page), path));
    expect(existsSync(file), `${file} does not exist`).toBe(true);
    if (anchor !== undefined && file.endsWith(".md"))
      expect([...anchors(file)], `${file} has no heading for #${anchor}`).toContain(anchor);
  });
});

describe("commands named in the documentation", () => {
  const help = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "--help"], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const commands = new Set(
    [...help.stdout.slice(help.stdout.indexOf("Commands:")).matchAll(/^ {2}([a-z][\w|-]*)/gm)].flatMap((m) =>
      (m[1] ?? "").split("|"),
    ),
  );
  // `nslab <word>` in code: fenced blocks (not TypeScript, where "nslab" is a module) and inline code.
  const named = PAGES.flatMap((page) => {
    const code = [
      ...codeBlocks(page)
        .filter((b) => b.lang !== "ts" && b.lang !== "yaml")
        .map((b) => b.text),
      ...[...prose(page).matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? ""),
    ];
    return code.flatMap((c) =>
      [...c.matchAll(/\bnslab ([a-z][a-z-]*)/g)].map((m) => ({ page, command: m[1] ?? "" })),
    );
  });

  it("reads the command list from nslab --help", () => {
    expect(help.status).toBe(0);
    for (const c of ["up", "down", "graph", "web"]) expect(commands).toContain(c);
    expect(named.length).toBeGreaterThan(40);
  });

  it.each([...new Set(named.map((n) => `${n.page}: nslab ${n.command}`))])("%s", (text) => {
    expect(commands).toContain(text.slice(text.indexOf("nslab ") + 6));
  });
});
