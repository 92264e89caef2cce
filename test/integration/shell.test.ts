/**
 * `nslab shell LAB` against a real lab: a script on stdin (output, exit status, `exit N`), `up
 * --shell`, and a real terminal (tmux, on a private server socket): Tab completion, history kept in
 * a file, Ctrl-C stopping the running command (in a node, or nslab's own iperf) and not the shell.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canTouchKernel, eventually, mustRun, nslab, nslabOk } from "../support/kernel.js";
import { netLab, pidsIn } from "../support/net.js";

const CLI = join(import.meta.dirname, "..", "..", "dist", "cli", "main.js");
const hasTmux = spawnSync("tmux", ["-V"]).status === 0;

describe.skipIf(!canTouchKernel && !mustRun)("nslab shell", () => {
  const { lab, prefix, files } = netLab("shell");
  const topo = ["--topo", "linear,2", "--name", lab, "--prefix", prefix];
  beforeAll(() => {
    nslabOk(["up", ...topo]);
  });

  it("runs a script from stdin: Mininet's commands, node names as addresses, the last failure's status", () => {
    const script = [
      "# a comment, then the commands",
      "nodes",
      "net",
      "pingall",
      "h1 ping -c1 -W2 h2 | grep -c 'bytes from 10.0.0.2'",
      "sh echo on-the-host",
      "link s1 h1 down",
      "links",
      "pingpair",
      "link s1 h1 up",
      "dump",
    ].join("\n");
    const r = nslab(["shell", lab], { input: script });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("h1 h2 s1 s2\n");
    expect(r.stdout).toMatch(/^h1 h1-eth0:s1:s1-eth1$/m);
    expect(r.stdout).toContain("*** Results: 0% dropped (2/2 received)");
    expect(r.stdout).toMatch(/^1$/m); // one reply from h2's address
    expect(r.stdout).toContain("on-the-host\n");
    expect(r.stdout).toMatch(/^h1:h1-eth0<->s1:s1-eth1 \(down: h1:h1-eth0, s1:s1-eth1\)$/m);
    expect(r.stdout).toContain("*** Results: 100% dropped (0/2 received)");
    expect(r.stdout).toMatch(new RegExp(`^<netns h1: netns=${prefix}h1 h1-eth0=10\\.0\\.0\\.1/8>$`, "m"));
    expect(r.code).toBe(1); // pingpair failed while the link was down
    expect(nslab(["shell", lab], { input: "pingall\n" }).code).toBe(0); // and it is back up
  });

  it("says errors with their hint, ends at exit N with N, and runs nothing after it", () => {
    const r = nslab(["shell", lab], { input: "bogus\nh9 true\nexit 4\nsh echo never\n" });
    expect(r.stderr).toMatch(/error: unknown command 'bogus'\nhint: help lists/);
    expect(r.stdout).not.toContain("never");
    expect(r.code).toBe(4);
    expect(nslab(["shell", lab], { input: "h1 exit 3\n" }).code).toBe(3);
  });

  it("opens after up --shell, as mn does (the lab stays up)", () => {
    const r = nslab(["up", ...topo, "--shell"], { input: "nodes\n" });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("h1 h2 s1 s2\n");
    expect(nslab(["status", lab]).code).toBe(0);
  });

  describe.skipIf(!hasTmux)("in a terminal (tmux)", () => {
    const socket = `nslab-${prefix.slice(0, -1)}`;
    const history = files.path("history");
    const tmux = (...args: string[]) => spawnSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
    const pane = () => tmux("capture-pane", "-p", "-t", "t").stdout;
    const keys = async (...k: string[]) => {
      // One key at a time: readline takes several keys in one read for a paste, and a pasted Tab
      // does not complete.
      for (const key of k) {
        tmux("send-keys", "-t", "t", key);
        await new Promise((r) => setTimeout(r, 150));
      }
    };
    /** Wait until the screen shows `text`; fail with the screen otherwise. */
    const shows = async (text: string | RegExp, timeoutMs = 15_000) => {
      const seen = () => (typeof text === "string" ? pane().includes(text) : text.test(pane()));
      if (!(await eventually(seen, timeoutMs)))
        throw new Error(`the screen never showed ${text}:\n${pane()}`);
    };
    afterAll(() => {
      tmux("kill-server");
    });

    it("completes, keeps history, and Ctrl-C stops the command, not the shell", async () => {
      const started = tmux(
        "new-session",
        "-d",
        "-s",
        "t",
        "-x",
        "160",
        "-y",
        "50",
        `NSLAB_HISTORY='${history}' '${process.execPath}' '${CLI}' shell ${lab}; echo EXIT=$?; sleep 60`,
      );
      expect(started.status).toBe(0);
      await shows(`nslab(${lab})>`); // (the screen as captured has no trailing blanks)

      await keys("p", "i", "n", "g", "a", "Tab");
      await shows(`nslab(${lab})> pingall`);
      await keys("Enter");
      await shows("*** Results: 0% dropped (2/2 received)");

      // A command in a node: Ctrl-C reaches it; the prompt comes back.
      await keys("h", "1", " ", "s", "l", "e", "e", "p", " ", "3", "0", "0", "Enter");
      expect(await eventually(() => pidsIn(`${prefix}h1`).length > 0, 10_000)).toBe(true);
      await keys("C-c");
      expect(await eventually(() => pidsIn(`${prefix}h1`).length === 0, 10_000)).toBe(true);
      await shows(new RegExp(`sleep 300\\n(\\^C)?\\s*nslab\\(${lab}\\)>$`, "m"));

      // nslab's own work (iperf3 in both nodes): stopped, its processes ended.
      await keys("i", "p", "e", "r", "f", " ", "h", "1", " ", "h", "2", " ", "6", "0", "Enter");
      await shows("testing TCP bandwidth");
      expect(await eventually(() => pidsIn(`${prefix}h2`).length > 0, 10_000)).toBe(true);
      await keys("C-c");
      await shows("interrupted");
      expect(await eventually(() => pidsIn(`${prefix}h1`).length + pidsIn(`${prefix}h2`).length === 0)).toBe(
        true,
      );

      // Ctrl-C at the prompt drops the line; the shell goes on; Up brings back the last line.
      await keys("n", "o", "C-c", "Up");
      await shows(new RegExp(`nslab\\(${lab}\\)> iperf h1 h2 60$`, "m"));
      await keys("C-u", "e", "x", "i", "t", " ", "3", "Enter");
      await shows("EXIT=3");
      expect(readFileSync(history, "utf8").split("\n")).toEqual([
        "pingall",
        "h1 sleep 300",
        "iperf h1 h2 60",
        "exit 3",
        "",
      ]);
    });
  });
});
