/**
 * Checks: what `nslab test` proves about a running lab. Each expectation of the file and each pair of
 * the subnet ping matrix becomes a check made of concrete probes (one per target address); the
 * probes of all checks run together with a bounded number in flight, TCP targets get a short-lived
 * listener for the duration, and each check passes when what happened is what was expected.
 */
import type { Runner } from "../drivers/runner/index.js";
import type { SourceLocation } from "../errors.js";
import type { Cidr } from "../model/ip.js";
import type { Expectation, Interface, NetnsNode, Topology } from "../model/types.js";
import { type PingPair, subnetPairs } from "./pairs.js";
import type { PingResult } from "./ping-result.js";
import { type Listener, type ProbeResult, pingProbe, startListener, tcpProbe } from "./probe.js";

/** One concrete probe of a check. */
export interface ProbeSpec {
  /** Source namespace. */
  netns: string;
  family: 4 | 6;
  address: string;
  /** ICMP: `ping -I` (an interface or a source address). */
  via?: string;
  kind: "icmp" | "tcp";
  port?: number;
  /** TCP: source address (when the check names the source interface). */
  localAddress?: string;
  /** TCP: the namespace that owns `address`, where a listener is started. */
  listenIn?: string;
  /** Why this probe cannot run (the check fails with this). */
  error?: string;
}

/** A check to run. */
export interface Check {
  /** `expect`: from the file's `expect:`; `ping`: a pair of the subnet ping matrix. */
  group: "expect" | "ping";
  name: string;
  from: string;
  to: string;
  /** `icmp` or `tcp/80`. */
  protocol: string;
  expect: "reachable" | "unreachable";
  probes: ProbeSpec[];
  src?: SourceLocation;
  /** A pair of the subnet ping matrix: its one probe, as pinging takes it (see RunChecksOptions.pingPairs). */
  pair?: PingPair;
}

/** What a check found. */
export interface CheckResult {
  group: Check["group"];
  name: string;
  from: string;
  to: string;
  protocol: string;
  expect: Check["expect"];
  /** What happened: some target address answered. */
  reachable: boolean;
  ok: boolean;
  /** One line for the table: which address answered, or why none did. */
  detail: string;
  probes: ({ address: string } & ProbeResult)[];
  durationMs: number;
  /** `file:line:col` of the expectation. */
  where?: string;
}

/**
 * The checks of a lab: its expectations, then (unless `matrix` is false) the subnet ping matrix,
 * without the pairs an expectation says are unreachable by ICMP (a flow or a firewall that drops
 * pings inside a subnet is what the file asks for, not a failure of the subnet).
 */
export function labChecks(t: Topology, options: { matrix?: boolean } = {}): Check[] {
  const checks = (t.expect ?? []).map((e) => expectationCheck(t, e));
  if (options.matrix !== false) {
    const unreachable = (t.expect ?? []).filter((e) => e.probe.kind === "icmp" && e.expect === "unreachable");
    const excluded = (p: PingPair) =>
      unreachable.some(
        (e) =>
          e.from === p.from &&
          (e.to.kind === "address"
            ? e.to.address === p.target
            : e.to.kind === "node"
              ? p.to.startsWith(`${e.to.node}:`)
              : p.to === `${e.to.node}:${e.to.iface}`),
      );
    for (const p of subnetPairs(t)) {
      if (excluded(p)) continue;
      checks.push({
        group: "ping",
        name: `${p.from} -> ${p.to} ${p.target}`,
        from: p.from,
        to: `${p.to} ${p.target}`,
        protocol: "icmp",
        expect: "reachable",
        probes: [{ netns: p.netns, family: p.family, address: p.target, via: p.source, kind: "icmp" }],
        pair: p,
      });
    }
  }
  return checks;
}

/** The probes of one expectation. */
export function expectationCheck(t: Topology, e: Expectation): Check {
  const nodes = new Map(t.nodes.filter((n): n is NetnsNode => n.kind === "netns").map((n) => [n.name, n]));
  const from = nodes.get(e.from)!;
  const fromIface = e.fromIface ? from.interfaces.find((i) => i.name === e.fromIface) : undefined;
  const targets: { cidr: Pick<Cidr, "family" | "address">; owner?: NetnsNode }[] = [];
  let to: string;
  if (e.to.kind === "address") {
    const address = e.to.address;
    to = address;
    const owner = [...nodes.values()].find((n) =>
      n.interfaces.some((i) => i.addresses.some((a) => a.address === address)),
    );
    targets.push({ cidr: { family: e.to.family, address }, ...(owner ? { owner } : {}) });
  } else {
    const target = e.to;
    const owner = nodes.get(target.node)!;
    to = target.kind === "node" ? target.node : `${target.node}:${target.iface}`;
    const ifaces: Interface[] =
      target.kind === "node" ? owner.interfaces : owner.interfaces.filter((i) => i.name === target.iface);
    for (const i of ifaces) for (const a of i.addresses) targets.push({ cidr: a, owner });
  }
  const probes = targets
    .filter((x) => e.family === undefined || x.cidr.family === e.family)
    .map(({ cidr, owner }): ProbeSpec => {
      const base = { netns: from.netns, family: cidr.family, address: cidr.address };
      if (e.probe.kind === "icmp")
        return { ...base, kind: "icmp", ...(fromIface ? { via: fromIface.name } : {}) };
      const spec: ProbeSpec = {
        ...base,
        kind: "tcp",
        port: e.probe.port,
        ...(owner ? { listenIn: owner.netns } : {}),
      };
      if (fromIface) {
        const local = fromIface.addresses.find((a) => a.family === cidr.family);
        if (local) spec.localAddress = local.address;
        else spec.error = `${e.from}:${fromIface.name} has no IPv${cidr.family} address to connect from`;
      }
      return spec;
    });
  return {
    group: "expect",
    name: e.text,
    from: e.fromIface ? `${e.from}:${e.fromIface}` : e.from,
    to,
    protocol: e.probe.kind === "icmp" ? "icmp" : `tcp/${e.probe.port}`,
    expect: e.expect,
    probes,
    ...(e.src ? { src: e.src } : {}),
  };
}

export interface RunChecksOptions {
  /** Probes in flight at once (default 16). */
  parallel?: number;
  /** How long each probe may take to get an answer, in seconds (default 3). */
  waitSeconds?: number;
  onResult?: (r: CheckResult) => void;
  /**
   * Pings the matrix's pairs all at once (the native agent: raw sockets in the namespaces, no
   * process per pair), reporting each as it settles; without it each is a `ping` process among the
   * probes in flight. Expectations are always probed one by one.
   */
  pingPairs?: (pairs: readonly PingPair[], onResult: (r: PingResult) => void) => Promise<PingResult[]>;
}

/** Run `checks`; never throws for a failed check (it is a result). Listeners are always stopped. */
export async function runChecks(
  runner: Runner,
  checks: readonly Check[],
  options: RunChecksOptions = {},
): Promise<CheckResult[]> {
  const parallel = Math.max(1, options.parallel ?? 16);
  const wanted = new Map<string, { ns: string; port: number }>();
  for (const c of checks)
    for (const p of c.probes)
      if (p.kind === "tcp" && p.listenIn && !p.error)
        wanted.set(`${p.listenIn}/${p.port}`, { ns: p.listenIn, port: p.port! });
  const listeners: Listener[] = [];
  const listenerErrors = new Map<string, string>();
  try {
    await pool([...wanted.entries()], parallel, async ([key, { ns, port }]) => {
      try {
        listeners.push(await startListener(runner, ns, port));
      } catch (e) {
        listenerErrors.set(key, (e as Error).message);
      }
    });
    const results: CheckResult[] = new Array(checks.length);
    const pending = checks.map((c) => ({
      left: c.probes.length,
      results: [] as ({ address: string } & ProbeResult)[],
    }));
    const started = checks.map(() => 0);
    const batched = options.pingPairs
      ? checks.flatMap((c, ci) => (c.pair && c.probes.length === 1 && !c.probes[0]!.error ? [ci] : []))
      : [];
    const inBatch = new Set(batched);
    const tasks = checks.flatMap((c, ci) =>
      inBatch.has(ci) ? [] : c.probes.map((p, pi) => ({ c, ci, p, pi })),
    );
    const finish = (ci: number) => {
      const c = checks[ci]!;
      const r = evaluate(c, pending[ci]!.results, performance.now() - started[ci]!);
      results[ci] = r;
      options.onResult?.(r);
    };
    checks.forEach((c, ci) => {
      if (c.probes.length === 0) {
        started[ci] = performance.now();
        finish(ci);
      }
    });
    await Promise.all([
      pool(tasks, parallel, async ({ ci, p, pi }) => {
        if (!started[ci]) started[ci] = performance.now();
        const r = await runProbe(runner, p, listenerErrors, options);
        pending[ci]!.results[pi] = { address: p.address, ...r };
        if (--pending[ci]!.left === 0) finish(ci);
      }),
      batched.length > 0 && pingBatch(checks, batched, options.pingPairs!, started, pending, finish),
    ]);
    return results;
  } finally {
    await Promise.all(listeners.map((l) => l.stop()));
  }
}

/** The matrix's checks `batched` (indexes into `checks`), pinged at once; each finished as it settles. */
async function pingBatch(
  checks: readonly Check[],
  batched: readonly number[],
  pingPairs: NonNullable<RunChecksOptions["pingPairs"]>,
  started: number[],
  pending: { left: number; results: ({ address: string } & ProbeResult)[] }[],
  finish: (ci: number) => void,
): Promise<void> {
  const now = performance.now();
  for (const ci of batched) started[ci] = now;
  const byPair = new Map(batched.map((ci) => [checks[ci]!.pair!, ci]));
  const settle = (r: PingResult) => {
    const ci = byPair.get(r.pair);
    if (ci === undefined || pending[ci]!.left === 0) return;
    pending[ci]!.results[0] = {
      address: checks[ci]!.probes[0]!.address,
      ok: r.ok,
      ...(r.rttMs !== undefined ? { ms: r.rttMs } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
    };
    pending[ci]!.left = 0;
    finish(ci);
  };
  const all = await pingPairs(
    batched.map((ci) => checks[ci]!.pair!),
    settle,
  );
  for (const r of all) if (r) settle(r);
}

async function runProbe(
  runner: Runner,
  p: ProbeSpec,
  listenerErrors: Map<string, string>,
  options: RunChecksOptions,
): Promise<ProbeResult> {
  if (p.error) return { ok: false, error: p.error };
  if (p.kind === "icmp")
    return pingProbe(runner, p.netns, p.address, {
      family: p.family,
      ...(p.via ? { iface: p.via } : {}),
      deadlineSeconds: options.waitSeconds ?? 3,
    });
  const listenerError = p.listenIn ? listenerErrors.get(`${p.listenIn}/${p.port}`) : undefined;
  if (listenerError) return { ok: false, error: listenerError };
  return tcpProbe(runner, p.netns, p.address, p.port!, {
    timeoutMs: (options.waitSeconds ?? 3) * 1000,
    ...(p.localAddress ? { localAddress: p.localAddress } : {}),
  });
}

function evaluate(c: Check, probes: ({ address: string } & ProbeResult)[], durationMs: number): CheckResult {
  const reachable = probes.some((p) => p.ok);
  const ok = c.probes.length > 0 && (c.expect === "reachable") === reachable;
  const answered = probes.filter((p) => p.ok);
  const silent = probes.filter((p) => !p.ok);
  const what = c.protocol === "icmp" ? "answered" : "accepted";
  let detail: string;
  if (c.probes.length === 0) detail = "no address to check";
  else if (reachable)
    detail = answered
      .map((p) => `${p.address} ${what}${p.ms !== undefined ? ` (${p.ms} ms)` : ""}`)
      .concat(silent.length > 0 ? [`not ${silent.map((p) => p.address).join(", ")}`] : [])
      .join("; ");
  else {
    const reasons = [...new Set(silent.map((p) => p.error ?? "no answer"))];
    detail = `${silent.map((p) => p.address).join(", ")}: ${reasons.join("; ")}`;
  }
  return {
    group: c.group,
    name: c.name,
    from: c.from,
    to: c.to,
    protocol: c.protocol,
    expect: c.expect,
    reachable,
    ok,
    detail,
    probes,
    durationMs: Math.round(durationMs),
    ...(c.src ? { where: `${c.src.file}:${c.src.line}:${c.src.column}` } : {}),
  };
}

/** Run `fn` over `items` with at most `n` at once. */
async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}
