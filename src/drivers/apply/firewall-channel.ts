/**
 * The firewall channel: carries nftables and iptables operations as one transaction per tool and
 * namespace — the `nft '…'` lines of consecutive operations go to one `nft -f -` (in the node's
 * namespace for a NAT node's table), the iptables lines to one `iptables-nft-restore --noflush`
 * (`ip6tables-…`, `…-legacy-…` alike). Each transaction is atomic: it applies entirely or not at
 * all, so a failure changes nothing. Deleting an accept whose nftables handle is not known finds it
 * first by its match and comment; deleting one that is gone already succeeds (idempotent). The
 * host's transactions run in order; the nodes' (one `nft` per namespace), several at a time.
 */
import { commandArgv, opCommands } from "../../plan/commands.js";
import { isRuleFor } from "../../plan/firewall.js";
import type { XtTool } from "../../plan/fw-commands.js";
import type { FwOp } from "../../plan/fw-ops.js";
import type { Op } from "../../plan/ops.js";
import { readFirewall } from "../host/firewall.js";
import { inNode } from "../in-node.js";
import { formatArgv, type Runner } from "../runner/index.js";
import type { Channel, OpOutcome } from "./types.js";

/** One transaction: the ops it carries and the lines it runs. */
interface Batch {
  key: string;
  argv: string[];
  /** What goes to the tool's stdin. */
  input: (lines: string[]) => string;
  ops: number[];
  lines: string[];
}

/**
 * How many nodes' `nft` run at once. Each takes 12–20 ms, most of it the kernel's (a namespace's
 * first NAT chain): 50 of them took 942–967 ms one after another, 828–854 ms 4 at a time.
 */
const PARALLEL = 4;

const restore: Record<XtTool, string> = {
  "iptables-nft": "iptables-nft-restore",
  "ip6tables-nft": "ip6tables-nft-restore",
  "iptables-legacy": "iptables-legacy-restore",
  "ip6tables-legacy": "ip6tables-legacy-restore",
};

export function firewallChannel(runner: Runner): Channel {
  return {
    name: "firewall",
    async apply(ops, mode, signal) {
      const outcomes: OpOutcome[] = ops.map(() => ({ status: "skipped" }));
      const list = ops as readonly FwOp[];
      const resolved = await resolveDeletes(runner, list);
      const batches: Batch[] = [];
      list.forEach((op, i) => {
        const r = resolved.get(i);
        if (r === "gone") {
          outcomes[i] = { status: "ok" };
          return;
        }
        for (const c of opCommands(r ?? op)) {
          const key = c.tool === "nft" ? `nft\u0000${c.ns ?? ""}` : c.tool;
          let b = batches.find((x) => x.key === key);
          if (!b) {
            b =
              c.tool === "nft"
                ? {
                    key,
                    argv: c.ns === null ? ["nft", "-f", "-"] : inNode(c.ns, ["nft", "-f", "-"]),
                    input: (lines) => `${lines.join("\n")}\n`,
                    ops: [],
                    lines: [],
                  }
                : {
                    key,
                    argv: [restore[c.tool as XtTool], "--noflush"],
                    input: (lines) => `*filter\n${lines.join("\n")}\nCOMMIT\n`,
                    ops: [],
                    lines: [],
                  };
            batches.push(b);
          }
          b.lines.push(c.tool === "nft" ? c.args[0]! : c.args.join(" "));
          if (!b.ops.includes(i)) b.ops.push(i);
        }
      });
      let failed = false;
      const run = async (b: Batch) => {
        const res = await runner.run(b.argv, {
          input: b.input(b.lines),
          allowFailure: true,
          timeoutMs: 30_000,
        });
        for (const i of b.ops) {
          if (outcomes[i]!.status === "failed") continue;
          outcomes[i] =
            res.exitCode === 0
              ? { status: "ok" }
              : {
                  status: "failed",
                  message: explain(res.stderr.trim() || `exit ${res.exitCode}`),
                  command: formatArgv(commandArgv(opCommands(list[i]!)[0]!)),
                };
        }
        if (res.exitCode !== 0) failed = true;
      };
      const halted = () => (failed && mode === "stop") || signal?.aborted === true;
      // The host's tables in order, then the nodes' (an `nft` each), several at a time: each
      // namespace's batch stands alone.
      const inNodes = batches.filter((b) => b.key.startsWith("nft\u0000") && b.key !== "nft\u0000");
      for (const b of batches.filter((x) => !inNodes.includes(x))) {
        if (halted()) break;
        await run(b);
      }
      let next = 0;
      const worker = async () => {
        while (next < inNodes.length && !halted()) await run(inNodes[next++]!);
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL, inNodes.length) }, worker));
      return outcomes;
    },
  };
}

/**
 * Deletions of accepts whose handle (nft) or presence (iptables) is not known yet: read the
 * firewall once and fill the handle in, or say the rule is gone already.
 */
async function resolveDeletes(runner: Runner, ops: readonly FwOp[]): Promise<Map<number, FwOp | "gone">> {
  const out = new Map<number, FwOp | "gone">();
  const open = ops.flatMap((op, i) =>
    op.op === "fw.delete" && (op.backend === "nft" ? op.handle === undefined : op.spec === undefined)
      ? [i]
      : [],
  );
  if (open.length === 0) return out;
  const fw = await readFirewall(runner, { ownRules: true });
  for (const i of open) {
    const op = ops[i] as Extract<FwOp, { op: "fw.delete" }>;
    const lab = op.comment.slice(6);
    const hit = fw.rules.find((r) => isRuleFor(r, { ...op, op: "fw.accept" }, lab));
    if (!hit) out.set(i, "gone");
    else if (hit.handle !== undefined) out.set(i, { ...op, handle: hit.handle });
    else if (hit.spec) out.set(i, { ...op, spec: hit.spec });
  }
  return out;
}

/** The kernel's words, with what to do when a table refuses rules from others. */
function explain(message: string): string {
  if (/Operation not permitted|EPERM/.test(message))
    return `${message}\n  (a table owned by another process, e.g. firewalld, refuses rules from others: add the lab's bridges to a trusted zone, e.g. firewall-cmd --zone=trusted --add-interface=BRIDGE)`;
  return message;
}

/** Whether `op` goes through this channel. */
export function firewallCarries(op: Op): boolean {
  return op.op.startsWith("nft.") || op.op.startsWith("fw.") || op.op === "nat.masquerade";
}
