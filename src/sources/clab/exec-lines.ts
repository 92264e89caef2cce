/**
 * containerlab `exec:` lines → settings of the nslab node: addresses, routes, link MTU and MAC,
 * sysctls; every line that is skipped is a warning that quotes it and says why. Pure.
 */
import { setOwn } from "../../util/keys.js";
import { type Conversion, child, type Fields, type Path } from "./conversion.js";
import { parseExec } from "./exec.js";

/** Apply what nslab can of a node's `exec:` lines; warn about each line it skips. */
export function applyExec(
  c: Conversion,
  name: string,
  lines: unknown[],
  path: Path,
  nodes: Fields,
  kindOf: Map<string, string>,
  linked: Map<string, Set<string>>,
): void {
  const node = nodes[name] as Fields;
  const ifaces = linked.get(name) ?? new Set<string>();
  lines.forEach((line, k) => {
    const at: Path = [...path, k];
    if (typeof line !== "string") {
      c.warn("exec line skipped: not a string", at);
      return;
    }
    if (kindOf.get(name) !== "netns") {
      c.warn(`exec line skipped: '${line}' (node '${name}' is a bridge; nslab runs nothing on bridges)`, at);
      return;
    }
    const action = parseExec(line);
    const notLinked = (dev: string) =>
      `exec line skipped: '${line}' (${dev} is not a link of node '${name}'${dev === "eth0" ? "; in containerlab eth0 is the management interface, which nslab does not create" : ""})`;
    switch (action.kind) {
      case "skip":
        c.warn(`exec line skipped: '${line}' (${action.reason})`, at);
        return;
      case "address":
        if (!ifaces.has(action.dev)) c.warn(notLinked(action.dev), at);
        else c.addAddress(nodes, name, action.dev, action.cidr, at);
        return;
      case "link": {
        if (!ifaces.has(action.dev)) {
          c.warn(notLinked(action.dev), at);
          return;
        }
        const i = c.iface(nodes, name, action.dev, at);
        if (action.mtu !== undefined) {
          i.mtu = action.mtu;
          c.from(["nodes", name, "interfaces", action.dev, "mtu"], at);
        }
        if (action.mac !== undefined) {
          i.mac = action.mac;
          c.from(["nodes", name, "interfaces", action.dev, "mac"], at);
        }
        return;
      }
      case "route": {
        if (action.dev !== undefined && !ifaces.has(action.dev)) {
          c.warn(notLinked(action.dev), at);
          return;
        }
        const routes = child<Fields[]>(node, "routes", []);
        c.from(["nodes", name, "routes"], at);
        c.from(["nodes", name, "routes", routes.length], at);
        const { kind: _, ...route } = action;
        routes.push(route);
        return;
      }
      case "sysctl": {
        const sysctls = child<Fields>(node, "sysctls", {});
        c.from(["nodes", name, "sysctls"], at);
        c.from(["nodes", name, "sysctls", action.key], at);
        setOwn(sysctls, action.key, action.value);
        return;
      }
    }
  });
}
