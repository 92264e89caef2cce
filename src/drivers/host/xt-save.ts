/**
 * Reading `iptables-save -t filter` (iptables-nft and iptables-legacy print the same format): whether
 * FORWARD can drop (its policy, or a DROP/REJECT in it or in a chain it jumps to), where nslab's
 * accepts go (Docker's DOCKER-USER when FORWARD jumps to it), and nslab's rules (comment
 * `nslab:LAB`), each with the exact spec `-D` needs. Pure.
 */
import type { FwBackend, FwFamily, FwMatch } from "../../plan/fw-ops.js";
import type { DroppingChain, NslabRule } from "../../plan/host-firewall.js";

/** Split a rule line as iptables-restore does: words, with "double quotes" and \\-escapes. */
export function xtWords(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "\\" && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (ch === '"') {
      quoted = !quoted;
      inWord = true;
    } else if (!quoted && (ch === " " || ch === "\t")) {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** What one family's filter table says. */
export interface XtScan {
  /** FORWARD, when it can drop. */
  chain?: DroppingChain;
  rules: NslabRule[];
  /** The table exists in the output (a `*filter` section with a FORWARD chain). */
  present: boolean;
}

/** Parse `iptables-save -t filter` of `backend` and `family` (ip or ip6). */
export function scanXtSave(text: string, backend: Exclude<FwBackend, "nft">, family: "ip" | "ip6"): XtScan {
  const policies = new Map<string, string>();
  const rules: { chain: string; words: string[] }[] = [];
  let inFilter = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("*")) inFilter = line === "*filter";
    else if (!inFilter) continue;
    else if (line.startsWith(":")) {
      const [name, policy] = line.slice(1).split(/\s+/);
      if (name) policies.set(name, policy ?? "-");
    } else if (line.startsWith("-A ")) {
      const words = xtWords(line);
      rules.push({ chain: words[1] ?? "", words: words.slice(2) });
    }
  }
  const out: XtScan = { rules: [], present: policies.has("FORWARD") };
  const targetOf = (w: string[]) => {
    const i = w.findIndex((x) => x === "-j" || x === "-g" || x === "--jump" || x === "--goto");
    return i >= 0 ? w[i + 1] : undefined;
  };
  const canDrop = (chain: string, seen: Set<string>): boolean => {
    if (seen.has(chain)) return false;
    seen.add(chain);
    return rules.some((r) => {
      if (r.chain !== chain) return false;
      const t = targetOf(r.words);
      return t === "DROP" || t === "REJECT" || (t !== undefined && policies.has(t) && canDrop(t, seen));
    });
  };
  const policy = policies.get("FORWARD");
  if (policy !== undefined) {
    const why = policy === "DROP" ? "policy" : canDrop("FORWARD", new Set()) ? "rule" : undefined;
    const viaDocker = rules.some((r) => r.chain === "FORWARD" && targetOf(r.words) === "DOCKER-USER");
    if (why)
      out.chain = {
        backend,
        family,
        table: "filter",
        base: "FORWARD",
        chain: viaDocker && policies.has("DOCKER-USER") ? "DOCKER-USER" : "FORWARD",
        policy: policy === "DROP" ? "drop" : "accept",
        why,
      };
  }
  for (const r of rules) {
    const c = r.words.indexOf("--comment");
    const comment = c >= 0 ? r.words[c + 1] : undefined;
    if (!comment?.startsWith("nslab:")) continue;
    const match = matchOf(r.words);
    out.rules.push({
      lab: comment.slice(6),
      backend,
      family: family as FwFamily,
      table: "filter",
      chain: r.chain,
      spec: r.words,
      ...(match ? { match } : {}),
    });
  }
  return out;
}

/** The accept shape of a rule nslab wrote, from its words (`-i`, `-o`, `--ctstate`, `-j ACCEPT`). */
function matchOf(w: string[]): FwMatch | undefined {
  const arg = (flag: string) => {
    const i = w.indexOf(flag);
    return i >= 0 ? w[i + 1] : undefined;
  };
  if (arg("-j") !== "ACCEPT") return undefined;
  const iif = arg("-i");
  const oif = arg("-o");
  if (!iif || !oif) return undefined;
  const replies = arg("--ctstate") === "RELATED,ESTABLISHED";
  if (iif === oif && !replies) return { kind: "bridge", dev: iif };
  return { kind: "route", iif, oif, replies };
}
