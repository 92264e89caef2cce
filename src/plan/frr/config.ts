/**
 * An FRR configuration as nslab writes it: global lines and blocks (`interface eth0`, `router
 * ospf`), each line belonging to one daemon. Rendered whole as the integrated frr.conf (what
 * `nslab plan` shows and `vtysh` users see) and split into one file per daemon (what the daemons
 * load with `-f`, so a daemon restarted after a crash comes back configured). Pure.
 */

/** A configuration line and the daemon that takes it. */
export interface ConfigLine {
  daemon: string;
  text: string;
}

/** A block: its opening line (`interface eth0`, `router bgp 64512`) and what it holds. */
export interface ConfigBlock {
  head: string;
  /** The daemon of the opening line (`interface` blocks open in every daemon that has lines in them). */
  daemon?: string;
  lines: ConfigLine[];
}

/** A whole configuration of one router. */
export interface RouterConfig {
  hostname: string;
  /** A comment line for the top (`written by nslab …`). */
  title: string;
  blocks: ConfigBlock[];
}

/** The daemons that have lines in `c`, in the order they first appear. */
export function configDaemons(c: RouterConfig): string[] {
  const out: string[] = [];
  for (const b of c.blocks) for (const l of b.lines) if (!out.includes(l.daemon)) out.push(l.daemon);
  return out;
}

function header(c: RouterConfig): string[] {
  return [`! ${c.title}`, "frr defaults traditional", `hostname ${c.hostname}`, "!"];
}

/** The integrated frr.conf. */
export function renderIntegrated(c: RouterConfig): string {
  const out = header(c);
  for (const b of c.blocks) {
    if (b.lines.length === 0 && !b.daemon) continue;
    out.push(b.head, ...b.lines.map((l) => l.text), "exit", "!");
  }
  return `${out.join("\n")}\n`;
}

/** The file of one daemon: the header, and its lines of every block. */
export function renderForDaemon(c: RouterConfig, daemon: string): string {
  const out = header(c);
  for (const b of c.blocks) {
    const lines = b.lines.filter((l) => l.daemon === daemon);
    if (b.daemon === undefined ? lines.length === 0 : b.daemon !== daemon) continue;
    out.push(b.head, ...lines.map((l) => l.text), "exit", "!");
  }
  return `${out.join("\n")}\n`;
}
