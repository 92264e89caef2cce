/**
 * What a machine of a multi-machine lab tells about its underlay, read with iproute2: which device
 * carries its underlay address, the device (and its MTU) packets to each peer machine leave by, the
 * VXLAN identifiers its root namespace's devices use, and what tells it apart from another machine.
 */
import { readFileSync, readlinkSync } from "node:fs";
import type { Runner } from "../runner/index.js";

/** The path toward one peer, or why there is none. */
export type PathFact = { dev: string; mtu: number } | { error: string };

/** `/etc/machine-id` and the network namespace this process runs in: two machines never share both. */
export function machineIdentity(): string {
  let id = "";
  try {
    id = readFileSync("/etc/machine-id", "utf8").trim();
  } catch {}
  let ns = "";
  try {
    ns = readlinkSync("/proc/self/ns/net");
  } catch {}
  return `${id}/${ns}`;
}

/** The device that carries `address` here, if one does. */
export async function deviceWithAddress(runner: Runner, address: string): Promise<string | undefined> {
  const res = await runner.run(
    ["ip", "-j", "addr", "show", "to", address.includes(":") ? `${address}/128` : `${address}/32`],
    {
      allowFailure: true,
      timeoutMs: 10_000,
    },
  );
  if (res.exitCode !== 0) return undefined;
  try {
    return (JSON.parse(res.stdout || "[]") as { ifname: string }[])[0]?.ifname;
  } catch {
    return undefined;
  }
}

/** The device packets from `local` to `peer` leave by, and its MTU (the route's, when lower). */
export async function pathToward(runner: Runner, local: string, peer: string): Promise<PathFact> {
  const res = await runner.run(["ip", "-j", "route", "get", peer, "from", local], {
    allowFailure: true,
    timeoutMs: 10_000,
  });
  if (res.exitCode !== 0) return { error: res.stderr.trim() || `ip route get exited with ${res.exitCode}` };
  let route: { dev?: string; metrics?: { mtu?: number }[] } | undefined;
  try {
    route = (JSON.parse(res.stdout || "[]") as (typeof route)[])[0];
  } catch {}
  if (!route?.dev) return { error: "no route" };
  const link = await runner.run(["ip", "-j", "link", "show", "dev", route.dev], {
    allowFailure: true,
    timeoutMs: 10_000,
  });
  let mtu: number | undefined;
  try {
    mtu = (JSON.parse(link.stdout || "[]") as { mtu?: number }[])[0]?.mtu;
  } catch {}
  if (mtu === undefined) return { error: `cannot read the MTU of ${route.dev}` };
  const routeMtu = route.metrics?.find((m) => m.mtu !== undefined)?.mtu;
  return { dev: route.dev, mtu: routeMtu !== undefined ? Math.min(mtu, routeMtu) : mtu };
}

/** VXLAN identifiers (with their UDP ports) of the VXLAN devices in this root namespace. */
export async function vxlanIds(runner: Runner): Promise<{ vni: number; port: number }[]> {
  const res = await runner.run(["ip", "-d", "-j", "link", "show", "type", "vxlan"], {
    allowFailure: true,
    timeoutMs: 30_000,
  });
  if (res.exitCode !== 0) return [];
  try {
    const links = JSON.parse(res.stdout || "[]") as {
      linkinfo?: { info_data?: { id?: number; port?: number } };
    }[];
    return links.flatMap((l) => {
      const d = l.linkinfo?.info_data;
      return d?.id !== undefined ? [{ vni: d.id, port: d.port ?? 8472 }] : [];
    });
  } catch {
    return [];
  }
}
