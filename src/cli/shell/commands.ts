/**
 * The commands of `nslab shell` (Mininet's CLI, namespace-native), each over the Lab handle: nodes,
 * net, links, dump, pingall, pingpair, iperf, link, sh, source, noecho, help, exit, and `NODE CMD`.
 * Each returns its exit status (0 ok); errors are thrown and said by the loop (repl.ts).
 */
import { readFile } from "node:fs/promises";
import { NslabError } from "../../errors.js";
import type { Lab } from "../../lab/handle.js";
import { splitLine, withAddresses, words } from "./words.js";

/** What a command runs with. */
export interface ShellContext {
  lab: Lab;
  /** Write a result line (stdout). */
  say(text: string): void;
  /** Stops the running command (Ctrl-C); a fresh one for each line. */
  signal: AbortSignal;
  /** Whether stdin is the user's terminal (false: a script, which commands must not read). */
  interactive: boolean;
  /** Run one line (for `source`); its status. */
  runLine(line: string): Promise<number>;
}

interface ShellCommand {
  usage: string;
  help: string;
  run(ctx: ShellContext, args: string[], rest: string): Promise<number>;
}

/** Thrown by `exit`: the shell ends with `status`. */
export class ExitShell {
  constructor(readonly status: number) {}
}

export const COMMANDS: Record<string, ShellCommand> = {
  help: {
    usage: "help",
    help: "this list",
    run: async (ctx) => {
      for (const c of Object.values(COMMANDS)) ctx.say(`  ${c.usage.padEnd(26)} ${c.help}`);
      ctx.say(`  ${"NODE CMD…".padEnd(26)} run CMD (a shell line) in namespace node NODE`);
      ctx.say("Node names on a NODE CMD line are replaced by their addresses: h1 ping -c1 h2");
      return 0;
    },
  },
  nodes: {
    usage: "nodes",
    help: "list the nodes",
    run: async (ctx) => {
      ctx.say(ctx.lab.topology.nodes.map((n) => n.name).join(" "));
      return 0;
    },
  },
  net: {
    usage: "net",
    help: "each node's interfaces and what they connect to",
    run: async (ctx) => {
      const peers = new Map<string, string>();
      for (const l of ctx.lab.topology.links) {
        peers.set(`${l.a.node}:${l.a.iface}`, `${l.b.node}:${l.b.iface}`);
        peers.set(`${l.b.node}:${l.b.iface}`, `${l.a.node}:${l.a.iface}`);
      }
      for (const n of ctx.lab.topology.nodes)
        ctx.say(
          [n.name, ...n.interfaces.map((i) => `${i.name}:${peers.get(`${n.name}:${i.name}`) ?? "-"}`)].join(
            " ",
          ),
        );
      return 0;
    },
  },
  links: {
    usage: "links",
    help: "each link and its state (OK when both ends are up), from the kernel",
    run: async (ctx) => {
      const report = await ctx.lab.status({ signal: ctx.signal });
      const up = new Set(
        report.nodes.flatMap((n) =>
          n.interfaces.filter((i) => i.present && i.up).map((i) => `${n.name}:${i.name}`),
        ),
      );
      // Status names interfaces as the kernel does (root-namespace ones carry the lab's prefix).
      const isUp = (e: string) => up.has(`${e.split(":")[0]}:${ctx.lab.ifname(e)}`);
      for (const l of ctx.lab.topology.links) {
        const a = `${l.a.node}:${l.a.iface}`;
        const b = `${l.b.node}:${l.b.iface}`;
        const down = [a, b].filter((e) => !isUp(e));
        ctx.say(`${a}<->${b} (${down.length === 0 ? "OK" : `down: ${down.join(", ")}`})`);
      }
      return 0;
    },
  },
  dump: {
    usage: "dump",
    help: "every node: kind, namespace or bridge, addresses",
    run: async (ctx) => {
      for (const n of ctx.lab.topology.nodes) {
        const where = n.kind === "netns" ? `netns=${n.netns}` : `ifname=${n.ifname}`;
        const addrs = n.interfaces.map(
          (i) => `${i.name}=${i.addresses.map((c) => `${c.address}/${c.prefix}`).join(",") || "-"}`,
        );
        ctx.say(
          `<${n.kind}${n.kind === "netns" && n.router ? " router" : ""} ${n.name}: ${[where, ...addrs].join(" ")}>`,
        );
      }
      return 0;
    },
  },
  pingall: {
    usage: "pingall",
    help: "ping every pair of addresses sharing a subnet (as nslab ping)",
    run: async (ctx) => {
      const r = await ctx.lab.ping({ signal: ctx.signal });
      const by = new Map<string, string[]>();
      for (const x of r.results)
        by.set(x.pair.from, [...(by.get(x.pair.from) ?? []), x.ok ? x.pair.to : `X(${x.pair.to})`]);
      for (const [from, tos] of by) ctx.say(`${from} -> ${tos.join(" ")}`);
      const n = r.results.length;
      const pct = n === 0 ? 0 : Math.round((100 * r.lost) / n);
      ctx.say(`*** Results: ${pct}% dropped (${n - r.lost}/${n} received)`);
      return r.lost > 0 ? 1 : 0;
    },
  },
  pingpair: {
    usage: "pingpair [A B]",
    help: "ping between two namespace nodes (default: the first two), both ways",
    run: async (ctx, args) => {
      const [a, b] = args.length >= 2 ? args : hosts(ctx.lab).slice(0, 2);
      if (!a || !b) throw new NslabError("E_USAGE", "pingpair needs two namespace nodes");
      let lost = 0;
      for (const [from, to] of [
        [a, b],
        [b, a],
      ] as const) {
        const r = await ctx.lab.pingFrom(from, to, { signal: ctx.signal });
        if (!r.ok) lost++;
        ctx.say(
          `${from} -> ${to}: ${r.ok ? `${r.rttMs?.toFixed(3)} ms` : `lost${r.error ? ` (${r.error})` : ""}`}`,
        );
      }
      ctx.say(`*** Results: ${lost * 50}% dropped (${2 - lost}/2 received)`);
      return lost > 0 ? 1 : 0;
    },
  },
  iperf: {
    usage: "iperf [A B] [SECONDS]",
    help: "TCP throughput from A to B with iperf3 (default: the first and last host, 3 s)",
    run: async (ctx, args) => {
      const h = hosts(ctx.lab);
      const [a, b] = args.length >= 2 ? args : [h[0], h[h.length - 1]];
      if (!a || !b || a === b) throw new NslabError("E_USAGE", "iperf needs two namespace nodes");
      const seconds = args[2] !== undefined ? Number(args[2]) : 3;
      if (!(seconds > 0)) throw new NslabError("E_USAGE", `iperf: '${args[2]}' is not a number of seconds`);
      ctx.say(`*** Iperf: testing TCP bandwidth between ${a} and ${b}`);
      const r = await ctx.lab.iperf(a, b, { timeSeconds: seconds, signal: ctx.signal });
      ctx.say(`*** Results: ${r.mbps.toFixed(1)} Mbit/s (${a} -> ${r.address})`);
      return 0;
    },
  },
  link: {
    usage: "link A B up|down",
    help: "take the links between nodes A and B down or up (or one end: link NODE:IF up|down)",
    run: async (ctx, args) => {
      const state = args[args.length - 1];
      if (state !== "up" && state !== "down")
        throw new NslabError("E_USAGE", "usage: link A B up|down, or link NODE:IF up|down");
      const ends = args.length === 2 ? [args[0]!] : linkEnds(ctx.lab, args[0], args[1]);
      for (const e of ends) await ctx.lab.link(e, state, { signal: ctx.signal });
      return 0;
    },
  },
  sh: {
    usage: "sh CMD…",
    help: "run a shell line on the host (root namespace)",
    run: async (ctx, _args, rest) => {
      if (!rest) throw new NslabError("E_USAGE", "sh needs a command: sh ip -br link");
      const { execOnHost } = await import("../../lab/exec.js");
      return execOnHost(["sh", "-c", rest], undefined, attach(ctx));
    },
  },
  source: {
    usage: "source FILE",
    help: "run the shell commands in FILE, one a line (# starts a comment)",
    run: async (ctx, args) => {
      if (args.length !== 1) throw new NslabError("E_USAGE", "usage: source FILE");
      let text: string;
      try {
        text = await readFile(args[0]!, "utf8");
      } catch (e) {
        throw new NslabError("E_FILE", `cannot read ${args[0]}: ${(e as Error).message}`);
      }
      let status = 0;
      for (const line of text.split("\n")) {
        if (ctx.signal.aborted) return 130;
        const s = await ctx.runLine(line);
        if (s !== 0) status = s;
      }
      return status;
    },
  },
  noecho: {
    usage: "noecho NODE CMD…",
    help: "run CMD in NODE with the terminal's echo off (e.g. to type a password)",
    run: async (ctx, _args, rest) => {
      const { word, rest: cmd } = splitLine(rest);
      if (!word || !cmd) throw new NslabError("E_USAGE", "usage: noecho NODE CMD…");
      if (!ctx.interactive) return inNode(ctx, word, cmd);
      return inNode(ctx, word, `stty -echo; ${cmd}; s=$?; stty echo; exit $s`);
    },
  },
  exit: {
    usage: "exit [STATUS]",
    help: "leave the shell (quit and Ctrl-D too); the lab stays up",
    run: async (_ctx, args) => {
      throw new ExitShell(args[0] !== undefined ? Number(args[0]) || 0 : 0);
    },
  },
};
COMMANDS.quit = { ...COMMANDS.exit!, usage: "quit", help: "as exit" };

/** Run one line: a command, `NODE CMD…`, or nothing (blank or a comment). */
export async function runCommand(ctx: ShellContext, line: string): Promise<number> {
  const { word, rest } = splitLine(line);
  if (word === "" || word.startsWith("#")) return 0;
  const c = Object.hasOwn(COMMANDS, word) ? COMMANDS[word] : undefined;
  if (c) return c.run(ctx, words(rest), rest);
  if (ctx.lab.topology.nodes.some((n) => n.name === word)) {
    if (!rest) throw new NslabError("E_USAGE", `${word}: what should it run? e.g. ${word} ip -br addr`);
    return inNode(ctx, word, rest);
  }
  throw new NslabError("E_USAGE", `unknown command '${word}'`, {
    hint: "help lists the commands and the nodes",
  });
}

/** Run a shell line in namespace node `node`, node names replaced by their addresses. */
async function inNode(ctx: ShellContext, node: string, line: string): Promise<number> {
  const addresses = new Map<string, string>();
  for (const n of ctx.lab.topology.nodes) {
    const a =
      n.interfaces.flatMap((i) => i.addresses).find((x) => x.family === 4) ??
      n.interfaces.flatMap((i) => i.addresses)[0];
    if (a) addresses.set(n.name, a.address);
  }
  return ctx.lab.execInteractive(node, ["sh", "-c", withAddresses(line, addresses)], attach(ctx));
}

function attach(ctx: ShellContext) {
  return { stdin: ctx.interactive ? ("inherit" as const) : ("ignore" as const), signal: ctx.signal };
}

/** The lab's namespace nodes (hosts and routers), in topology order. */
function hosts(lab: Lab): string[] {
  return lab.topology.nodes.filter((n) => n.kind === "netns").map((n) => n.name);
}

/** Both ends of every link between nodes `a` and `b`. */
function linkEnds(lab: Lab, a: string | undefined, b: string | undefined): string[] {
  const ends = lab.topology.links
    .filter((l) => (l.a.node === a && l.b.node === b) || (l.a.node === b && l.b.node === a))
    .flatMap((l) => [`${l.a.node}:${l.a.iface}`, `${l.b.node}:${l.b.iface}`]);
  if (ends.length === 0)
    throw new NslabError("E_NOT_FOUND", `no link between '${a}' and '${b}'`, { hint: "net lists the links" });
  return ends;
}
