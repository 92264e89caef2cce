/**
 * The pure-iproute2 channel: runs each operation's classic commands (the very lines `nslab plan`
 * prints). Root-namespace `ip` lines go to one `ip -batch -`; each namespace's lines go to one
 * `nsenter --net=/run/netns/NS ip -batch -`, several namespaces at a time; `tc` lines likewise to
 * `tc -batch -`; other tools (sysctl, ethtool) run one by one inside their namespace. Used when the
 * native agent is unavailable, and for what the agent does not do (tc).
 */
import { writeFileSync } from "node:fs";
import { type Command, commandArgv, opCommands } from "../../plan/commands.js";
import { inNode } from "../in-node.js";
import { formatArgv, type Runner } from "../runner/index.js";
import { runIpBatch } from "./ipbatch.js";
import { type CommandStatus, outcomeOf } from "./outcomes.js";
import type { Channel, OpOutcome } from "./types.js";

/** How many namespaces are configured at once. */
const PARALLEL = 4;

interface Slot {
  op: number;
  cmd: number;
  command: Command;
}

/** A run of commands in one namespace: consecutive `ip` (or `tc`) lines form one batch. */
type Step = { kind: "batch"; tool: "ip" | "tc"; slots: Slot[] } | { kind: "single"; slot: Slot };

export function iprouteChannel(runner: Runner): Channel {
  return {
    name: "iproute2",
    async apply(ops, mode, signal) {
      const commands = ops.map((op) => opCommands(op));
      const status: CommandStatus[][] = commands.map((cs) => cs.map(() => ({ status: "not-run" })));
      // Group by namespace, keeping order; root first (creation needs it; deletions never mix).
      const byNs = new Map<string | null, Slot[]>();
      commands.forEach((cs, op) => {
        cs.forEach((command, cmd) => {
          const list = byNs.get(command.ns) ?? [];
          list.push({ op, cmd, command });
          byNs.set(command.ns, list);
        });
      });
      let stop = false;
      const record = (slot: Slot, s: CommandStatus) => {
        status[slot.op]![slot.cmd] = s;
        if (s.status === "failed" && mode === "stop") stop = true;
      };
      const runSteps = async (ns: string | null, slots: Slot[]) => {
        for (const step of toSteps(slots)) {
          if (stop || signal?.aborted) return;
          if (step.kind === "single") {
            const direct = rootSysctl(step.slot.command);
            if (direct) {
              record(step.slot, direct());
              continue;
            }
            const argv = runArgv(step.slot.command);
            const res = await runner.run(argv, { allowFailure: true, timeoutMs: 30_000 });
            record(
              step.slot,
              res.exitCode === 0
                ? { status: "ok" }
                : { status: "failed", message: res.stderr.trim() || `exit ${res.exitCode}` },
            );
            continue;
          }
          const res = await runIpBatch(
            runner,
            step.slots.map((s) => s.command.args.join(" ")),
            { force: mode === "continue", ns, tool: step.tool },
          );
          const failed = new Map(res.failures.map((f) => [f.line, f.message]));
          step.slots.forEach((slot, i) => {
            const message = failed.get(i);
            if (message !== undefined) record(slot, { status: "failed", message });
            else if (res.stoppedAt === undefined || i < res.stoppedAt) record(slot, { status: "ok" });
          });
        }
      };

      const root = byNs.get(null);
      if (root) await runSteps(null, root);
      const namespaces = [...byNs.entries()].filter(([ns]) => ns !== null);
      let next = 0;
      const worker = async () => {
        while (next < namespaces.length && !stop && !signal?.aborted) {
          const [ns, slots] = namespaces[next++]!;
          await runSteps(ns, slots);
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL, namespaces.length) }, worker));

      return status.map(
        (results, op): OpOutcome => outcomeOf(results, (i) => formatArgv(commandArgv(commands[op]![i]!))),
      );
    },
  };
}

function toSteps(slots: Slot[]): Step[] {
  const steps: Step[] = [];
  for (const slot of slots) {
    const last = steps[steps.length - 1];
    const tool = slot.command.tool;
    if (tool === "ip" || tool === "tc") {
      if (last?.kind === "batch" && last.tool === tool) last.slots.push(slot);
      else steps.push({ kind: "batch", tool, slots: [slot] });
    } else steps.push({ kind: "single", slot });
  }
  return steps;
}

/**
 * A root-namespace `sysctl -qw key=value` done as sysctl(8) does it, by writing /proc/sys, without
 * a process per key (a lab with a thousand bridge ports sets a thousand of them).
 */
function rootSysctl(c: Command): (() => CommandStatus) | undefined {
  if (c.tool !== "sysctl" || c.ns !== null || c.args[0] !== "-qw" || c.args.length !== 2) return undefined;
  const arg = c.args[1]!;
  const eq = arg.indexOf("=");
  const key = arg.slice(0, eq);
  if (eq < 0 || key.split(/[./]/).includes("..")) return undefined;
  const path = `/proc/sys/${key.includes("/") ? key : key.replaceAll(".", "/")}`;
  return () => {
    try {
      writeFileSync(path, `${arg.slice(eq + 1)}\n`);
      return { status: "ok" };
    } catch (e) {
      return { status: "failed", message: `sysctl: ${(e as Error).message}` };
    }
  };
}

/** argv that runs a non-ip command in its namespace. */
function runArgv(c: Command): string[] {
  if (c.ns === null) return [c.tool, ...c.args];
  return inNode(c.ns, [c.tool, ...c.args]);
}
