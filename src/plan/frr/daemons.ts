/**
 * Which FRR daemons run in a router and how each is started. FRR's daemons file is read the way
 * FRR's own scripts read it, but without a shell: `name=value` lines, a daemon on unless its value
 * is `no`, `0` or empty, `<daemon>_options` split into words with the daemonizing flag dropped (the
 * supervisor keeps daemons in the foreground), `frr_global_options` and `frr_profile` applied to
 * every daemon; anything else is reported as ignored. zebra and staticd always run (and mgmtd
 * where the host's FRR has it, as FRR ≥ 9 does), zebra first. Pure.
 */
import { FRR_DAEMON_NAMES } from "../../model/frr.js";
import { shellWords } from "../../util/words.js";

/** FRR's start order (zebra first, then mgmtd and staticd, then the protocol daemons). */
export const START_ORDER = FRR_DAEMON_NAMES;

/** Always started, whatever the daemons file says (mgmtd only where it exists). */
export const ALWAYS_ON = ["zebra", "mgmtd", "staticd"] as const;

/** The vty options FRR's own daemons file gives each daemon. */
export function defaultOptions(daemon: string): string[] {
  const local = /6d$|ngd$/.test(daemon) ? "::1" : "127.0.0.1";
  return daemon === "zebra" ? ["-A", local, "-s", "90000000"] : ["-A", local];
}

/** What a daemons file says. */
export interface DaemonsFile {
  /** Daemons switched on, in file order. */
  enabled: string[];
  /** `<daemon>_options`, split into words, the daemonizing flags removed. */
  options: Record<string, string[]>;
  /** `frr_global_options` and `frr_profile` (as `-F profile`), for every daemon. */
  global: string[];
  /** Lines not taken, with the reason (1-based line numbers). */
  ignored: { line: number; text: string; reason: string }[];
}

const KNOWN = new Set<string>(START_ORDER);
/** Settings of FRR's scripts that have no meaning when nslab starts the daemons. */
const SCRIPT_ONLY = /^(vtysh_enable|watchfrr_.*|MAX_FDS|FRR_NO_ROOT|.*_wrap)$/;

/** Read the text of an FRR daemons file. */
export function parseDaemonsFile(text: string): DaemonsFile {
  const out: DaemonsFile = { enabled: [], options: {}, global: [], ignored: [] };
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    const n = i + 1;
    if (line === "" || line.startsWith("#")) return;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) {
      out.ignored.push({ line: n, text: line, reason: "not a name=value setting (shell code is not run)" });
      return;
    }
    const [, name, rawValue] = m as unknown as [string, string, string];
    const words = shellWords(rawValue.replace(/\s+#.*$/, ""));
    if (!Array.isArray(words)) {
      out.ignored.push({ line: n, text: line, reason: words.error });
      return;
    }
    const value = words.join(" ");
    // FRR's scripts expand the value unquoted: split into words again.
    const split = value.split(/\s+/).filter((w) => w !== "");
    if (KNOWN.has(name)) {
      if (value !== "" && value !== "no" && value !== "0" && !out.enabled.includes(name))
        out.enabled.push(name);
      return;
    }
    const opt = /^(.+)_options$/.exec(name);
    if (opt && KNOWN.has(opt[1]!)) {
      out.options[opt[1]!] = withoutDaemonize(split);
      return;
    }
    if (name === "frr_global_options") {
      out.global.push(...withoutDaemonize(split));
      return;
    }
    if (name === "frr_profile") {
      if (value) out.global.push("-F", value);
      return;
    }
    out.ignored.push({
      line: n,
      text: line,
      reason: SCRIPT_ONLY.test(name)
        ? "a setting of FRR's start scripts, which nslab does not use"
        : `'${name}' is not a setting FRR's daemons file has`,
    });
  });
  return out;
}

/** The options without `-d`/`--daemon` (the supervisor keeps daemons in the foreground). */
function withoutDaemonize(words: string[]): string[] {
  return words.filter((w) => w !== "-d" && w !== "--daemon");
}

/** The daemons to start, in FRR's order: the always-on ones the host has, then `wanted`. */
export function daemonsToRun(wanted: readonly string[], installed: ReadonlySet<string>): string[] {
  const set = new Set<string>(wanted);
  for (const d of ALWAYS_ON) if (d !== "mgmtd" || installed.has("mgmtd")) set.add(d);
  return START_ORDER.filter((d) => set.has(d));
}
