/**
 * Mininet's `--switch` and `--controller` arguments, as `mn` reads them (`name,arg,key=value,…`):
 * `--switch ovs[,protocols=OpenFlow13][,failMode=standalone|secure][,datapath=user|kernel]`
 * (`ovsk` and `default` are `ovs`; `ovsbr` is a standalone OVS bridge; `lxbr` a Linux bridge), and
 * `--controller remote[,ip=IP][,port=PORT]` (or `remote,IP,PORT`, or `ip=IP:PORT`), `default` (and
 * `ovsc`: the ovs-testcontroller nslab runs), `none`. The same meaning as in Mininet; what nslab
 * cannot do is refused with the reason. Pure.
 */
import { NslabError } from "../../errors.js";
import { OPENFLOW_VERSIONS, type OpenFlowVersionName } from "../openflow-versions.js";
import type { GeneratedOvsFields, SwitchKind } from "./to-raw.js";

/** The switches of a generated lab. */
export type SwitchChoice =
  | { kind: "bridge" }
  | {
      kind: "ovs";
      /** `ovsbr`: a standalone bridge that takes no controller (Mininet's OVSBridge). */
      bridgeOnly?: true;
      protocols?: OpenFlowVersionName;
      failMode?: "standalone" | "secure";
      datapath?: "netdev" | "system";
    };

function usage(option: string, message: string, hint?: string): NslabError {
  return new NslabError("E_USAGE", `${option}: ${message}`, hint ? { hint } : {});
}

/** `name,arg,key=value` → the name, its positional arguments and its keyword arguments. */
function split(text: string): { name: string; args: string[]; kwargs: Map<string, string> } {
  const [name = "", ...rest] = text.split(",").map((s) => s.trim());
  const args: string[] = [];
  const kwargs = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf("=");
    if (eq < 0) args.push(p);
    else kwargs.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
  }
  return { name: name.toLowerCase(), args, kwargs };
}

const SWITCH_HINT =
  "use ovs[,protocols=OpenFlow13][,failMode=secure|standalone][,datapath=user|kernel] (ovsk is ovs), ovsbr, or lxbr (a Linux bridge; nslab's default)";

/** Parse `--switch`. */
export function parseSwitch(text: string): SwitchChoice {
  const { name, args, kwargs } = split(text);
  if (name === "bridge" || name === "lxbr") {
    if (args.length > 0 || kwargs.size > 0)
      throw usage("--switch", `${name} takes no parameters here`, "a Linux bridge learns on its own");
    return { kind: "bridge" };
  }
  if (name === "user" || name === "ivs")
    throw usage(
      "--switch",
      `nslab does not run ${name === "user" ? "Mininet's user-space reference switch" : "Indigo Virtual Switch"}`,
      SWITCH_HINT,
    );
  if (name !== "ovs" && name !== "ovsk" && name !== "default" && name !== "ovsbr")
    throw usage("--switch", `unknown switch '${name}'`, SWITCH_HINT);
  if (args.length > 0)
    throw usage(
      "--switch",
      `unexpected parameter '${args[0]}'`,
      "parameters are key=value, e.g. ovs,protocols=OpenFlow13",
    );
  const out: Extract<SwitchChoice, { kind: "ovs" }> = {
    kind: "ovs",
    ...(name === "ovsbr" ? { bridgeOnly: true } : {}),
  };
  for (const [key, value] of kwargs) {
    if (key === "protocols") {
      const v = OPENFLOW_VERSIONS.find((p) => p.toLowerCase() === value.toLowerCase());
      if (!v)
        throw usage(
          "--switch",
          `protocols=${value} is not an OpenFlow version`,
          `one of ${OPENFLOW_VERSIONS.join(", ")}`,
        );
      out.protocols = v;
    } else if (key === "failMode") {
      if (value !== "secure" && value !== "standalone")
        throw usage("--switch", `failMode=${value}: use secure or standalone`);
      if (name === "ovsbr" && value === "secure")
        throw usage("--switch", "ovsbr is Mininet's standalone OVS bridge", "use ovs,failMode=secure");
      out.failMode = value;
    } else if (key === "datapath") {
      if (value !== "user" && value !== "kernel")
        throw usage("--switch", `datapath=${value}: use user or kernel`);
      out.datapath = value === "user" ? "netdev" : "system";
    } else
      throw usage(
        "--switch",
        `nslab does not take ${key}= for OVS switches`,
        `it takes protocols=, failMode= and datapath=; ${key === "stp" ? "nslab runs STP itself on topologies with loops (torus)" : "in-band control is always off, as Mininet's default"}`,
      );
  }
  return out;
}

/** What a generated lab's switches connect to: controller targets (or `default`); empty for none. */
export function parseControllers(texts: readonly string[]): string[] {
  const out: string[] = [];
  for (const text of texts) {
    const { name, args, kwargs } = split(text);
    if (name === "none") {
      if (texts.length > 1) throw usage("--controller", "none goes alone");
      return [];
    }
    if (name === "default" || name === "ovsc") {
      if (args.length > 0 || kwargs.size > 0)
        throw usage(
          "--controller",
          `${name} takes no parameters here`,
          "nslab runs ovs-testcontroller on a socket of its own",
        );
      out.push("default");
      continue;
    }
    if (name === "ref")
      throw usage(
        "--controller",
        "the OpenFlow reference controller ('controller') is not packaged for Debian",
        "use default (ovs-testcontroller), or remote",
      );
    if (name === "nox" || name === "ryu")
      throw usage(
        "--controller",
        `nslab does not start ${name}`,
        name === "ryu"
          ? "start it yourself (e.g. osken-manager --ofp-tcp-listen-port 6653 examples/sdn/simple_switch_13.py) and use --controller remote,port=6653"
          : "start it yourself and use --controller remote",
      );
    if (name !== "remote")
      throw usage(
        "--controller",
        `unknown controller '${name}'`,
        "use remote[,ip=IP][,port=PORT], default or none",
      );
    out.push(remoteTarget(args, kwargs));
  }
  return [...new Set(out)];
}

/** `remote` with Mininet's parameters → `tcp:IP:PORT` (127.0.0.1 and 6653 unless given). */
function remoteTarget(args: string[], kwargs: Map<string, string>): string {
  for (const key of kwargs.keys())
    if (key !== "ip" && key !== "port" && key !== "protocol")
      throw usage("--controller", `remote takes ip=, port= and protocol=, not ${key}=`);
  if (args.length > 2) throw usage("--controller", "remote takes at most an address and a port");
  let ip = kwargs.get("ip") ?? args[0] ?? "127.0.0.1";
  let port = kwargs.get("port") ?? args[1];
  // Mininet accepts ip=IP:PORT.
  const colon = ip.lastIndexOf(":");
  if (colon > 0 && !ip.includes("::") && ip.indexOf(":") === colon) {
    port ??= ip.slice(colon + 1);
    ip = ip.slice(0, colon);
  }
  const protocol = kwargs.get("protocol") ?? "tcp";
  if (protocol !== "tcp" && protocol !== "ssl")
    throw usage("--controller", `protocol=${protocol}: use tcp or ssl`);
  if (port !== undefined && !/^\d+$/.test(port))
    throw usage("--controller", `port=${port} is not a port number`);
  const host = ip.includes(":") ? `[${ip}]` : ip;
  return `${protocol}:${host}:${port ?? "6653"}`;
}

/** Mininet's options for a generated lab, as the command line gives them. */
export interface MininetOptionTexts {
  switch?: string;
  controller?: readonly string[];
  mac?: boolean;
  arp?: boolean;
}

/**
 * The generator's options for Mininet's `--switch`, `--controller`, `--mac` and `--arp`. A
 * controller makes the switches OVS (a Linux bridge takes none); without `--controller`, OVS
 * switches learn on their own (nslab's default; Mininet's would be `--controller default`).
 */
export function generatorOptions(texts: MininetOptionTexts): {
  switch: SwitchKind;
  ovs?: GeneratedOvsFields;
  mac?: true;
  arp?: true;
} {
  const sw = texts.switch === undefined ? undefined : parseSwitch(texts.switch);
  const controllers = texts.controller === undefined ? [] : parseControllers(texts.controller);
  const extras = {
    ...(texts.mac ? { mac: true as const } : {}),
    ...(texts.arp ? { arp: true as const } : {}),
  };
  if (controllers.length > 0) {
    if (sw?.kind === "bridge")
      throw usage(
        "--controller",
        "a Linux bridge takes no OpenFlow controller",
        "use --switch ovs (or ovsk)",
      );
    if (sw?.kind === "ovs" && sw.bridgeOnly)
      throw usage(
        "--controller",
        "ovsbr is Mininet's OVS bridge without a controller",
        "use --switch ovs (or ovsk) with a controller",
      );
  }
  if (sw === undefined && controllers.length === 0) return { switch: "bridge", ...extras };
  if (sw?.kind === "bridge") return { switch: "bridge", ...extras };
  const ovs: GeneratedOvsFields = {
    ...(controllers.length > 0 ? { controller: controllers } : {}),
    ...(sw?.protocols ? { protocols: sw.protocols } : {}),
    ...(sw?.failMode ? { "fail-mode": sw.failMode } : {}),
    ...(sw?.datapath ? { datapath: sw.datapath } : {}),
  };
  return { switch: "ovs", ...(Object.keys(ovs).length > 0 ? { ovs } : {}), ...extras };
}
