/**
 * What nslab worked out for a topology, in words for the top of `nslab plan`: the subnets and
 * addresses automatic addressing chose, the routes `routing: static` computed, and shaping. Pure.
 */
import { describeShaping } from "../model/shaping.js";
import type { Topology } from "../model/types.js";

/** Comment lines (without `#`) describing derived settings; empty when there are none. */
export function planNotes(t: Topology): string[] {
  const out: string[] = [];
  const a = t.addressing;
  if (a) {
    const pools = [a.pools.ipv4, a.pools.ipv6].filter(Boolean).join(", ");
    out.push(`automatic addressing from ${pools}:`);
    for (const s of a.segments)
      out.push(`  ${s.subnet.padEnd(22)} ${s.label}${s.fromPool ? "" : " (the segment's own subnet)"}`);
    const byEndpoint = new Map<string, string[]>();
    for (const x of a.assigned) byEndpoint.set(x.endpoint, [...(byEndpoint.get(x.endpoint) ?? []), x.cidr]);
    for (const [endpoint, cidrs] of byEndpoint) out.push(`  ${endpoint.padEnd(22)} ${cidrs.join(" ")}`);
  }
  if (t.routing === "static") {
    const lines: string[] = [];
    for (const n of t.nodes)
      if (n.kind === "netns")
        for (const r of n.routes)
          if (r.computed)
            lines.push(
              `  ${n.name.padEnd(22)} ${r.to === "0.0.0.0/0" || r.to === "::/0" ? `default${r.family === 6 ? " (IPv6)" : ""}` : r.to} via ${r.via}`,
            );
    out.push(
      `static routes computed over the routers (routing: static)${lines.length === 0 ? ": none needed" : ":"}`,
      ...lines,
    );
  }
  const shaped = t.links.filter((l) => l.shaping);
  if (shaped.length > 0) {
    out.push("shaping (on the egress of both ends):");
    for (const l of shaped)
      out.push(
        `  ${`${l.a.node}:${l.a.iface} — ${l.b.node}:${l.b.iface}`.padEnd(22)} ${describeShaping(l.shaping!)}`,
      );
  }
  return out;
}
