// The raw floor: the same kernel work as an nslab lab — namespaces, veth pairs with one end created
// in its namespace, bridges and bridge ports (IPv6 off on those root-namespace switch devices, as
// nslab does), IPv4-only hosts without IPv6 link-local (addrgenmode none), addresses, links up —
// done by the fastest raw method: `ip -batch` for namespaces, bridges and veths, plus ONE process
// that setns()es into each namespace for the per-namespace part (nslab's own native agent binary,
// used as a plain rtnetlink/sysctl tool: no ownership aliases, no state, no checks). `nsenter` is
// the reference: one `nsenter --net=… ip -batch` per namespace, 4 at a time. For OVS, one
// `ovs-vsctl` call with every add-port chained. Down: one `ip link del group` for the root links
// (a random link group set at creation), then the namespaces; done when every root name is gone.
// Not done here, though nslab does it: each node's kept mount namespace and /etc/netns entry, the
// ownership markers, the host firewall read (see docs/benchmark.md, "Small labs against the floor").
// With `env: true` (compare.mjs's `floor+env`) the floor also makes what nslab gives every node, the
// same raw way: a tmpfs for the lab with a hosts file and a /run per node, and per node a kept mount
// namespace (the agent's template, /etc/hosts and /run bound, a fresh sysfs) — the kernel work of
// nslab's node environments, without nslab's records, markers and checks.
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { AGENT, must, rootLinks, run, waitGone } from "./lib.mjs";

/** Names and commands of a generated spec (from dist/sources/mininet) with prefix `p`. */
export function floorModel(spec, p) {
  const hosts = [];
  const switches = [];
  for (const [name, node] of Object.entries(spec.nodes)) {
    if ("interfaces" in node) {
      const [[ifname, cidr]] = Object.entries(node.interfaces);
      hosts.push({ name, ns: p + name, ifname, cidr, ipv6: node.ipv6 !== false });
    } else switches.push({ name, dev: p + name, stp: !!node.stp });
  }
  const isHost = new Set(hosts.map((h) => h.name));
  const links = spec.links.map(([a, b]) => {
    const [an, ai] = a.split(":");
    const [bn, bi] = b.split(":");
    return {
      a: { node: an, ifname: ai, host: isHost.has(an) },
      b: { node: bn, ifname: bi, host: isHost.has(bn) },
    };
  });
  // A link group of its own (random, unused right now) lets `down` delete all root links at once.
  const used = new Set(
    rootLinks().map((l) => {
      try {
        return readFileSync(`/sys/class/net/${l}/netdev_group`, "utf8").trim();
      } catch {
        return "";
      }
    }),
  );
  let group;
  do group = 0x70000000 + Math.floor(Math.random() * 0xffffff);
  while (used.has(String(group)));
  return { hosts, switches, links, p, group };
}

/** Root-namespace names the floor creates (for the leak check and for waiting on `down`). */
export function floorRootNames(m) {
  const out = m.switches.map((s) => s.dev);
  for (const l of m.links) for (const e of [l.a, l.b]) if (!e.host) out.push(m.p + e.ifname);
  return out;
}

/** `ip -batch` lines creating bridges and veths (all down), and the lines bringing them up. */
function rootLines(m, ovs) {
  const add = [];
  const set = [];
  const g = `group ${m.group}`;
  if (!ovs)
    for (const s of m.switches) {
      add.push(`link add name ${s.dev} ${g} type bridge${s.stp ? " stp_state 1" : ""}`);
      set.push(`link set dev ${s.dev} up`);
    }
  const master = (e) => (ovs ? "" : ` master ${m.p + e.node}`);
  for (const l of m.links) {
    const [sw, other] = l.a.host ? [l.b, l.a] : [l.a, l.b];
    if (other.host) {
      add.push(
        `link add name ${m.p + sw.ifname} ${g} type veth peer name ${other.ifname} netns ${m.p + other.node} ${g}`,
      );
      set.push(`link set dev ${m.p + sw.ifname}${master(sw)} up`);
    } else {
      add.push(`link add name ${m.p + sw.ifname} ${g} type veth peer name ${m.p + other.ifname} ${g}`);
      set.push(
        `link set dev ${m.p + sw.ifname}${master(sw)} up`,
        `link set dev ${m.p + other.ifname}${master(other)} up`,
      );
    }
  }
  return { add, set };
}

/** Where the floor's node environments live (outside nslab's state directory: no lab of nslab's). */
const ENV_ROOT = "/run/nslab-floor";
const envDir = (m) => `${ENV_ROOT}/${m.p.slice(0, -1)}`;

/** The node environments, as nslab makes them (see the header): one agent request for the mounts. */
async function floorEnv(m) {
  const fs = envDir(m);
  await agentLines([`mkfs\t${fs}\tnslab-floor-${m.p.slice(0, -1)}`]);
  writeFileSync(
    `${fs}/hosts`,
    `127.0.0.1\tlocalhost\n${m.hosts.map((h) => `${h.cidr.split("/")[0]}\t${h.name}`).join("\n")}\n`,
  );
  const lines = [`mnttmpl\t${ENV_ROOT}\t${fs}`];
  mkdirSync(`${fs}/ns`, { mode: 0o700 });
  for (const h of m.hosts) {
    mkdirSync(`${fs}/n/${h.name}/run/lock`, { recursive: true });
    lines.push(
      `mntbind\t${fs}/hosts\t/etc/hosts`,
      "mntsys",
      `mntbind\t${fs}/n/${h.name}/run\t/run`,
      `mkmnt\t${h.ns}\t${fs}/ns/${h.name}\t${fs}`,
    );
  }
  await agentLines(lines);
}

/** Detach the node environments' file system (the kept mount namespaces go with it). */
async function floorEnvDown(m) {
  await run([AGENT], { input: `umnt\t${envDir(m)}\tnslab-floor-${m.p.slice(0, -1)}\n` });
  try {
    rmdirSync(ENV_ROOT); // when no other run of the bench still has a lab there
  } catch {}
}

async function agentLines(lines) {
  const r = await must([AGENT], { input: `${lines.join("\n")}\n` });
  const bad = r.stdout.split("\n").filter((l) => l && l !== "ok" && !l.startsWith("ok"));
  if (bad.length) throw new Error(`floor agent: ${bad.slice(0, 3).join("; ")}`);
}

/** Bring the lab up the raw way; `config` is "agent" (one setns process) or "nsenter"; `env`: node environments too. */
export async function floorUp(m, { ovs, config, env = false }) {
  const t0 = performance.now();
  await must(["ip", "-batch", "-"], { input: `${m.hosts.map((h) => `netns add ${h.ns}`).join("\n")}\n` });
  if (env) await floorEnv(m);
  const { add, set } = rootLines(m, ovs);
  await must(["ip", "-batch", "-"], { input: `${add.join("\n")}\n` });
  // IPv6 off on the root-namespace switch devices nslab creates: Linux bridges and root veth ends
  // (an OVS bridge's own device is made by ovs-vswitchd, here as with nslab).
  const ovsDevs = new Set(ovs ? m.switches.map((s) => s.dev) : []);
  const ipv6off = floorRootNames(m)
    .filter((d) => !ovsDevs.has(d))
    .map((d) => `sysctl\tnet/ipv6/conf/${d}/disable_ipv6\t1`);
  if (config === "agent") {
    const lines = [...ipv6off];
    for (const h of m.hosts) {
      lines.push(`ns\t${h.ns}`, ...(h.ipv6 ? [] : [`addrgen\t${h.ifname}\tnone`]), "up\tlo");
      // The OVS userspace datapath needs TX checksums done by the sender (nslab does the same).
      if (ovs) lines.push(`txoff\t${h.ifname}`);
      lines.push(`up\t${h.ifname}`, `addr\t${h.ifname}\t${h.cidr}`);
    }
    lines.push("root");
    const r = await must([AGENT], { input: `${lines.join("\n")}\n` });
    const bad = r.stdout.split("\n").filter((l) => l && l !== "ok");
    if (bad.length) throw new Error(`floor agent: ${bad.slice(0, 3).join("; ")}`);
  } else {
    await must([AGENT], { input: `${ipv6off.join("\n")}\n` });
    let next = 0;
    const worker = async () => {
      while (next < m.hosts.length) {
        const h = m.hosts[next++];
        const nsenter = ["nsenter", `--net=/run/netns/${h.ns}`, "--"];
        if (ovs) await must([...nsenter, "ethtool", "-K", h.ifname, "tx", "off"]);
        await must([...nsenter, "ip", "-batch", "-"], {
          input: `${h.ipv6 ? "" : `link set dev ${h.ifname} addrgenmode none\n`}link set dev lo up\nlink set dev ${h.ifname} up\naddr add ${h.cidr} dev ${h.ifname}\n`,
        });
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  }
  await must(["ip", "-batch", "-"], { input: `${set.join("\n")}\n` });
  if (ovs) {
    const args = [];
    for (const s of m.switches) {
      if (args.length) args.push("--");
      args.push(
        "add-br",
        s.dev,
        "--",
        "set",
        "bridge",
        s.dev,
        "datapath_type=netdev",
        ...(s.stp ? ["stp_enable=true"] : []),
      );
    }
    for (const l of m.links)
      for (const e of [l.a, l.b]) if (!e.host) args.push("--", "add-port", m.p + e.node, m.p + e.ifname);
    await must(["ovs-vsctl", "--timeout=600", ...args]);
  }
  return performance.now() - t0;
}

/** Take it down: OVS bridges; every root link at once by its link group (the veth peers in the
 * namespaces go with them); the namespaces. Done when every root-namespace name of the lab is gone. */
export async function floorDown(m, { ovs, env = false }) {
  const t0 = performance.now();
  if (env) await floorEnvDown(m);
  await deleteAll(m, ovs);
  const left = await waitGone(floorRootNames(m));
  if (left.length) throw new Error(`floor down left ${left.length} links, e.g. ${left[0]}`);
  return performance.now() - t0;
}

/** Remove whatever of the floor lab exists (after an interrupt or a failure). Only its own names. */
export async function floorCleanup(m, { ovs }) {
  await floorEnvDown(m);
  await deleteAll(m, ovs);
  await waitGone(floorRootNames(m), 30_000);
}

/** The floor's teardown: its OVS bridges in one ovs-vsctl call, its links by group, its namespaces. */
async function deleteAll(m, ovs) {
  if (ovs) {
    const args = [];
    for (const s of m.switches) args.push(...(args.length ? ["--"] : []), "--if-exists", "del-br", s.dev);
    await run(["ovs-vsctl", "--timeout=600", ...args]);
  }
  const lines = [`link del group ${m.group}`, ...m.hosts.map((h) => `netns del ${h.ns}`)];
  await run(["ip", "-force", "-batch", "-"], { input: `${lines.join("\n")}\n` });
}

/**
 * The floor of `status`: the kernel read the fastest raw way — every namespace's links, addresses
 * and main-table routes (one setns, one netlink socket and four dumps each), split between as many
 * processes as there are cores (at most two, as nslab), and the root namespace's bridges and ports —
 * by the native agent fed its requests directly: no record, no report, no Node. Returns the wall
 * time until every reader has exited and the bytes they wrote.
 */
export async function floorRead(namespaces, readers) {
  const size = Math.ceil(namespaces.length / readers);
  const parts = Array.from({ length: readers }, (_, k) => namespaces.slice(k * size, (k + 1) * size));
  const t0 = performance.now();
  const done = await Promise.all([
    run([AGENT], { input: "bridgedumpc\n" }),
    ...parts.map((part) => run([AGENT], { input: `${part.map((ns) => `nsdumpc\t${ns}`).join("\n")}\n` })),
  ]);
  const ms = performance.now() - t0;
  const failed = done.find((r) => r.code !== 0 || r.stdout.split("\n").some((l) => l && !l.startsWith("ok")));
  if (failed) throw new Error(`floor read: ${failed.stderr || failed.stdout.slice(0, 200)}`);
  return { ms, bytes: done.reduce((n, r) => n + r.stdout.length, 0) };
}
