/** One command line of a plan, with the namespace it runs in (the type every command builder shares). */
import type { XtTool } from "./fw-commands.js";
import type { EnvTool } from "./node-env-commands.js";
import type { NsName } from "./ops.js";

/** One command line, with the namespace it runs in (`null` = root). */
export interface Command {
  tool: "ip" | "ovs-vsctl" | "ovs-ofctl" | "sysctl" | "ethtool" | "tc" | "nft" | XtTool | EnvTool;
  ns: NsName;
  args: string[];
}

/** An `ip` command in namespace `ns`. */
export const ip = (ns: NsName, ...args: string[]): Command => ({ tool: "ip", ns, args });
