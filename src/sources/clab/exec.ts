/**
 * containerlab `exec:` lines that nslab can apply natively: `ip addr add`, `ip route add`,
 * `ip link set` (mtu, address, up) and `sysctl -w net.…=…`, parsed into settings of the nslab model.
 * Anything else is reported as skipped, with the reason. Pure: no command is ever run.
 */

/** What one exec line means to nslab. */
export type ExecAction =
  | { kind: "address"; dev: string; cidr: string }
  | { kind: "route"; to: string; via?: string; dev?: string; metric?: number }
  | { kind: "link"; dev: string; mtu?: number; mac?: string }
  | { kind: "sysctl"; key: string; value: string }
  | { kind: "skip"; reason: string };

/** Split a command line into words (single and double quotes group; no expansion of any kind). */
export function words(line: string): string[] | undefined {
  const out: string[] = [];
  const re = /\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  const text = line.trim();
  while (pos < text.length) {
    re.lastIndex = pos;
    m = re.exec(text);
    if (!m) return undefined;
    out.push(m[1] ?? m[2] ?? m[3] ?? "");
    pos = re.lastIndex;
  }
  return out;
}

const SHELL = /[|;&<>`$(){}]/;

/** Interpret one `exec:` line. */
export function parseExec(line: string): ExecAction {
  if (SHELL.test(line))
    return { kind: "skip", reason: "shell syntax (pipes, redirections, variables) is not run" };
  const w = words(line);
  if (!w || w.length === 0) return { kind: "skip", reason: "empty or unbalanced quotes" };
  const cmd = w[0]!.replace(/^.*\//, "");
  if (cmd === "sysctl") return sysctl(w.slice(1));
  if (cmd !== "ip") return { kind: "skip", reason: `'${cmd}' is not a command nslab applies` };
  let family: 4 | 6 | undefined;
  let i = 1;
  while (w[i]?.startsWith("-")) {
    if (w[i] === "-4") family = 4;
    else if (w[i] === "-6") family = 6;
    else return { kind: "skip", reason: `ip option '${w[i]}' is not supported` };
    i++;
  }
  const object = w[i] ?? "";
  const verb = w[i + 1] ?? "";
  const rest = w.slice(i + 2);
  if (is(object, "address") && verb === "add") return address(rest);
  if (is(object, "route") && verb === "add") return route(rest, family);
  if (is(object, "link") && verb === "set") return link(rest);
  return {
    kind: "skip",
    reason: `'ip ${object} ${verb}' is not one of: ip addr add, ip route add, ip link set`,
  };
}

/** `a`, `addr`, `address` all mean address (as ip accepts any prefix). */
function is(word: string, full: string): boolean {
  return word.length > 0 && full.startsWith(word);
}

function address(rest: string[]): ExecAction {
  const [cidr, ...more] = rest;
  if (!cidr) return { kind: "skip", reason: "no address given" };
  let dev: string | undefined;
  for (let i = 0; i < more.length; i++) {
    if (more[i] === "dev") dev = more[++i];
    else return { kind: "skip", reason: `'${more[i]}' in ip addr add is not supported` };
  }
  if (!dev) return { kind: "skip", reason: "no 'dev' given" };
  return { kind: "address", dev, cidr };
}

function route(rest: string[], family: 4 | 6 | undefined): ExecAction {
  let to = rest[0];
  if (!to) return { kind: "skip", reason: "no destination given" };
  const r: { to: string; via?: string; dev?: string; metric?: number } = { to };
  for (let i = 1; i < rest.length; i++) {
    const k = rest[i]!;
    const v = rest[++i];
    if (v === undefined) return { kind: "skip", reason: `'${k}' has no value` };
    if (k === "via") r.via = v;
    else if (k === "dev") r.dev = v;
    else if (k === "metric" || k === "preference") {
      if (!/^\d+$/.test(v)) return { kind: "skip", reason: `metric '${v}' is not a number` };
      r.metric = Number(v);
    } else return { kind: "skip", reason: `'${k}' in ip route add is not supported` };
  }
  if (to === "default") to = family === 6 || r.via?.includes(":") ? "default6" : "default";
  r.to = to;
  return { kind: "route", ...r };
}

function link(rest: string[]): ExecAction {
  let i = 0;
  if (rest[i] === "dev") i++;
  const dev = rest[i++];
  if (!dev) return { kind: "skip", reason: "no interface given" };
  const out: { kind: "link"; dev: string; mtu?: number; mac?: string } = { kind: "link", dev };
  for (; i < rest.length; i++) {
    const k = rest[i]!;
    if (k === "up") continue; // nslab brings every interface up
    if (k === "mtu") {
      const v = rest[++i];
      if (!v || !/^\d+$/.test(v)) return { kind: "skip", reason: `mtu '${v ?? ""}' is not a number` };
      out.mtu = Number(v);
    } else if (k === "address") {
      const v = rest[++i];
      if (!v) return { kind: "skip", reason: "no MAC address given" };
      out.mac = v;
    } else if (k === "down")
      return {
        kind: "skip",
        reason: "nslab brings every interface up; use `nslab link … down` on the running lab",
      };
    else return { kind: "skip", reason: `'ip link set … ${k}' is not supported` };
  }
  return out;
}

function sysctl(args: string[]): ExecAction {
  const a = args[0] === "-w" || args[0] === "-q" || args[0] === "-qw" ? args.slice(1) : args;
  if (a.length !== 1 || !a[0]!.includes("="))
    return { kind: "skip", reason: "only 'sysctl -w key=value' is applied" };
  const [key, ...value] = a[0]!.split("=");
  return { kind: "sysctl", key: key!.trim(), value: value.join("=").trim() };
}
