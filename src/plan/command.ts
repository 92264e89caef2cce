/** One command line of a plan, with the namespace it runs in (the type every command builder shares). */
import type { NsName } from "./ops.js";

/** One command line, with the namespace it runs in (`null` = root). */
export interface Command {
  tool: "ip" | "ovs-vsctl" | "sysctl" | "ethtool" | "tc";
  ns: NsName;
  args: string[];
}

/** An `ip` command in namespace `ns`. */
export const ip = (ns: NsName, ...args: string[]): Command => ({ tool: "ip", ns, args });
