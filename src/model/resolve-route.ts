/** A static route of a namespace node as written → a Route (destination, gateway, family checked). */
import type { SourceLocation } from "../errors.js";
import { formatCidr, parseAddress, parseCidr } from "./ip.js";
import type { Route } from "./types.js";

/** The route `raw` (at field path `path`), or undefined after reporting why it cannot be one. */
export function resolveRoute(
  raw: { to: string; via?: string; dev?: string; metric?: number },
  path: Array<string | number>,
  at: (path: Array<string | number>) => SourceLocation,
  fail: (message: string, location: SourceLocation, hint?: string) => void,
): Route | undefined {
  const where = at(path);
  let family: 4 | 6 | undefined;
  let to: string | undefined;
  if (raw.to === "default" || raw.to === "default6") {
    family = raw.to === "default" ? 4 : 6;
    if (raw.via?.includes(":")) family = 6;
    to = family === 4 ? "0.0.0.0/0" : "::/0";
  } else {
    const c = parseCidr(raw.to);
    if (typeof c === "string") {
      fail(
        `invalid route destination: ${c}`,
        at([...path, "to"]),
        "use a CIDR such as 10.2.0.0/16, or 'default'",
      );
      return undefined;
    }
    family = c.family;
    const net = formatCidr({ address: c.address, prefix: c.prefix });
    to = net;
  }
  const route: Route = { family, to, src: where };
  if (raw.via !== undefined) {
    const gw = parseAddress(raw.via);
    if (typeof gw === "string") fail(`invalid gateway: ${gw}`, at([...path, "via"]));
    else if (gw.family !== family)
      fail(
        `gateway ${raw.via} is IPv${gw.family} but the destination ${to} is IPv${family}`,
        at([...path, "via"]),
      );
    else route.via = gw.address;
  }
  if (raw.dev !== undefined) route.dev = raw.dev;
  if (raw.metric !== undefined) route.metric = raw.metric;
  if (raw.via === undefined && raw.dev === undefined)
    fail("a route needs 'via' (a gateway), 'dev' (an interface) or both", where);
  return route;
}
