/**
 * `iperf`: throughput between two nodes of a running lab with iperf3 — the server inside B on one of
 * B's addresses (the one on a subnet shared with A when there is one), the client inside A. The server
 * serves one test and exits; nslab also stops it by its PID, so no iperf3 is ever left running.
 */
import type { ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { inNode } from "../drivers/in-node.js";
import { type Runner, systemRunner } from "../drivers/runner/index.js";
import type { CommonOptions } from "../engine/options.js";
import { NslabError } from "../errors.js";
import { parseAddress, sameSubnet } from "../model/ip.js";
import type { NetnsNode } from "../model/types.js";
import { listSome } from "../util/listing.js";
import { upRecordOf } from "./record.js";

export interface IperfOptions extends CommonOptions {
  /** UDP instead of TCP. */
  udp?: boolean;
  /** Test length in seconds (default 3). */
  timeSeconds?: number;
  /** UDP target bitrate, iperf3 units (default 100M; `0` is unlimited). */
  bitrate?: string;
  /** Server address (default: chosen from B's addresses). */
  address?: string;
  /** Server port (default: a random port in 20000–29999). */
  port?: number;
}

/** What iperf3 measured. */
export interface IperfResult {
  lab: string;
  from: string;
  to: string;
  address: string;
  port: number;
  protocol: "tcp" | "udp";
  seconds: number;
  /** Throughput at the receiver, Mbit/s. */
  mbps: number;
  /** What the sender put on the wire, Mbit/s. */
  sentMbps: number;
  /** TCP retransmissions. */
  retransmits?: number;
  /** UDP: lost datagrams (percent) and jitter (ms). */
  lostPercent?: number;
  jitterMs?: number;
}

/** Measure throughput from node `from` to node `to` of lab `lab`. */
export async function measureThroughput(
  lab: string,
  from: string,
  to: string,
  options: IperfOptions = {},
): Promise<IperfResult> {
  const runner = options.runner ?? systemRunner;
  const state = upRecordOf(lab);
  const node = (name: string): NetnsNode => {
    const n = state.topology.nodes.find((x) => x.name === name);
    if (!n)
      throw new NslabError("E_NOT_FOUND", `lab '${lab}' has no node '${name}'`, {
        hint: `its namespace nodes: ${listSome(
          state.topology.nodes.filter((x) => x.kind === "netns").map((x) => x.name),
        )}`,
      });
    if (n.kind !== "netns")
      throw new NslabError("E_USAGE", `node '${name}' is a ${n.kind}; iperf runs between namespace nodes`);
    return n;
  };
  const a = node(from);
  const b = node(to);
  const address = options.address ?? chooseAddress(a, b);
  if (!address) throw new NslabError("E_USAGE", `node '${to}' has no address to serve on`);
  const parsed = parseAddress(address);
  if (typeof parsed === "string") throw new NslabError("E_USAGE", parsed);
  const seconds = options.timeSeconds ?? 3;
  if (!(seconds > 0 && seconds <= 600))
    throw new NslabError("E_USAGE", "the test length must be 1–600 seconds");
  const port = options.port ?? randomInt(20000, 30000);

  const server = await startIperfServer(runner, b, address, port, seconds);
  try {
    const report = await runIperfClient(runner, a, to, { address, port, seconds, ...options });
    return summarize(report, {
      lab,
      from,
      to,
      address,
      port,
      protocol: options.udp ? "udp" : "tcp",
      seconds,
    });
  } finally {
    await stopIperfServer(server);
  }
}

/** Start an iperf3 server for one test inside `node`; resolves once it listens. */
export async function startIperfServer(
  runner: Runner,
  node: NetnsNode,
  address: string,
  port: number,
  seconds: number,
): Promise<ChildProcess> {
  const server = runner.start(
    inNode(node.netns, [
      "iperf3",
      "--server",
      "--one-off",
      "--bind",
      address,
      "--port",
      String(port),
      "--forceflush",
      "--idle-timeout",
      String(Math.ceil(seconds) + 20),
    ]),
  );
  try {
    await listening(server, node.name);
  } catch (e) {
    await stopIperfServer(server);
    throw e;
  }
  return server;
}

/** Run the iperf3 client inside `node` against `address`:`port`; its JSON report (E_COMMAND on failure). */
export async function runIperfClient(
  runner: Runner,
  node: NetnsNode,
  to: string,
  o: { address: string; port: number; seconds: number; udp?: boolean; bitrate?: string },
): Promise<IperfJson> {
  const res = await runner.run(
    inNode(node.netns, [
      "iperf3",
      "--client",
      o.address,
      "--port",
      String(o.port),
      "--time",
      String(o.seconds),
      "--json",
      ...(o.udp ? ["--udp", "--bitrate", o.bitrate ?? "100M"] : []),
    ]),
    { allowFailure: true, timeoutMs: (o.seconds + 30) * 1000 },
  );
  let report: IperfJson;
  try {
    report = JSON.parse(res.stdout) as IperfJson;
  } catch {
    throw new NslabError(
      "E_COMMAND",
      `iperf3 in ${node.name} failed: ${res.stderr.trim() || res.stdout.trim() || `exit ${res.exitCode}`}`,
    );
  }
  if (report.error || res.exitCode !== 0)
    throw new NslabError(
      "E_COMMAND",
      `iperf3 from ${node.name} to ${to} (${o.address}) failed: ${report.error ?? `exit ${res.exitCode}`}`,
      {
        hint: "check that the nodes reach each other: nslab test LAB",
      },
    );
  return report;
}

/** B's address on a subnet it shares with A; else B's first IPv4, else its first IPv6 address. */
export function chooseAddress(a: NetnsNode, b: NetnsNode): string | undefined {
  const mine = a.interfaces.flatMap((i) => i.addresses);
  const theirs = b.interfaces.flatMap((i) => i.addresses);
  return (
    theirs.find((x) => mine.some((m) => sameSubnet(m, x)))?.address ??
    theirs.find((x) => x.family === 4)?.address ??
    theirs[0]?.address
  );
}

/** Wait until the server says it listens (or fails). */
function listening(server: ChildProcess, node: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(
      () =>
        reject(new NslabError("E_COMMAND", `iperf3 server in ${node} did not start: ${(err || out).trim()}`)),
      10_000,
    );
    server.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (/Server listening/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    server.once("close", (code) => {
      clearTimeout(timer);
      reject(
        new NslabError("E_COMMAND", `iperf3 server in ${node} exited (${code}): ${(err || out).trim()}`),
      );
    });
    server.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Stop the server by its PID if it still runs, and wait for it to be gone. */
export async function stopIperfServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once("close", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await gone;
  clearTimeout(timer);
}

interface IperfSum {
  bits_per_second?: number;
  retransmits?: number;
  lost_percent?: number;
  jitter_ms?: number;
}
/** The part of iperf3's JSON report nslab reads. */
export interface IperfJson {
  error?: string;
  end?: { sum_sent?: IperfSum; sum_received?: IperfSum; sum?: IperfSum };
}

export function summarize(
  j: IperfJson,
  base: Omit<IperfResult, "mbps" | "sentMbps" | "retransmits" | "lostPercent" | "jitterMs">,
): IperfResult {
  const mbit = (x: number | undefined) => Math.round((x ?? 0) / 1e4) / 100;
  const end = j.end ?? {};
  const sent = end.sum_sent ?? end.sum;
  const received = end.sum_received ?? end.sum;
  const out: IperfResult = {
    ...base,
    mbps: mbit(received?.bits_per_second),
    sentMbps: mbit(sent?.bits_per_second),
  };
  if (base.protocol === "tcp" && sent?.retransmits !== undefined) out.retransmits = sent.retransmits;
  if (base.protocol === "udp") {
    const udp = end.sum ?? received;
    if (udp?.lost_percent !== undefined) out.lostPercent = Math.round(udp.lost_percent * 100) / 100;
    if (udp?.jitter_ms !== undefined) out.jitterMs = Math.round(udp.jitter_ms * 1000) / 1000;
  }
  return out;
}
