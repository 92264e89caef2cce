/**
 * `nslab remote`: what a machine of a multi-machine lab does for the controller, one session per
 * ssh channel (JSON lines, see drivers/remote). Each request is an ordinary operation on this
 * machine's part of the lab — a lab like any other here, with its own record and markers: probe the
 * underlay, plan the part, bring it up in steps (part-up.ts), take it down, observe it, ping, check,
 * measure, take a link end down. Nothing listens on the network: the session is ssh's.
 */
import type { ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { deviceWithAddress, machineIdentity, pathToward, vxlanIds } from "../../drivers/host/underlay.js";
import { type RemoteHandler, type RemoteRequest, serveLines } from "../../drivers/remote/serve.js";
import { systemRunner } from "../../drivers/runner/index.js";
import { type DownResult, downHere } from "../../engine/down.js";
import { withDriver } from "../../engine/driver.js";
import type { Faults } from "../../engine/options.js";
import { planForHost } from "../../engine/plan.js";
import { NslabError } from "../../errors.js";
import type { NetnsNode, Topology } from "../../model/types.js";
import type { MachineFacts } from "../../plan/multihost/facts.js";
import { listLabs, readLab } from "../../state/store.js";
import { nslabVersion } from "../../util/version.js";
import { type Check, runChecks } from "../../verify/checks.js";
import type { PingPair } from "../../verify/pairs.js";
import type { PingOptions } from "../../verify/ping-result.js";
import { type Listener, startListener } from "../../verify/probe.js";
import { runIperfClient, startIperfServer, stopIperfServer } from "../iperf.js";
import { setEndState } from "../link.js";
import { runPairs } from "../ping.js";
import { upRecordOf } from "../record.js";
import { observeLab } from "../status.js";
import { PartUp } from "./part-up.js";

/** What the composition root hands the remote side. */
export interface RemoteServeOptions {
  /** Failures to inject into this machine's `up` (tests). */
  faults?: Faults;
}

/** Serve one controller session on `input`/`output` until it ends. */
export async function serveRemote(
  input: Readable,
  output: Writable,
  options: RemoteServeOptions = {},
): Promise<void> {
  const session = new Session(options);
  try {
    await serveLines(input, output, (req, ctx) => session.handle(req, ctx));
  } finally {
    await session.close();
  }
}

const str = (req: RemoteRequest, key: string): string => {
  const v = req[key];
  if (typeof v !== "string") throw new NslabError("E_USAGE", `remote request '${req.op}' needs '${key}'`);
  return v;
};

class Session {
  #up: PartUp | undefined;
  readonly #listeners: Listener[] = [];
  readonly #servers = new Map<number, ChildProcess>();

  constructor(readonly options: RemoteServeOptions) {}

  async handle(req: RemoteRequest, ctx: Parameters<RemoteHandler>[1]): Promise<unknown> {
    const log = (level: "info" | "warn" | "debug", message: string) => ctx.log(level, message);
    switch (req.op) {
      case "probe":
        return probe(req);
      case "plan": {
        const plan = await planForHost(req.topology as Topology);
        return { shell: plan.toShell(), operations: plan.operations.length, limits: plan.limits };
      }
      case "up":
        if (this.#up) throw new NslabError("E_USAGE", "this session is bringing a part up already");
        this.#up = new PartUp(req.topology as Topology, {
          signal: ctx.signal,
          log,
          ...(this.options.faults ? { faults: this.options.faults } : {}),
        });
        return this.#up.planned();
      case "apply":
        return this.#partUp().apply();
      case "commit":
        return this.#partUp().commit();
      case "abort":
        return this.#partUp().abort();
      case "down":
        return downWaiting(str(req, "lab"), log, typeof req.waitMs === "number" ? req.waitMs : 30_000);
      // This machine's part, never the lab this machine may control under the same name.
      case "status":
        return withDriver({}, (driver) => observeLab(str(req, "lab"), driver));
      case "ping": {
        const lab = str(req, "lab");
        const t = upRecordOf(lab).topology;
        return runPairs(
          (fn) => withDriver({}, fn),
          t,
          req.pairs as PingPair[],
          (req.options ?? {}) as PingOptions,
        );
      }
      case "listen":
        for (const l of req.listeners as { ns: string; port: number }[])
          this.#listeners.push(await startListener(systemRunner, l.ns, l.port));
        return { listening: this.#listeners.length };
      case "checks":
        return runChecks(systemRunner, req.checks as Check[], (req.options ?? {}) as object);
      case "iperf-server": {
        const node = netnsNode(upRecordOf(str(req, "lab")).topology, str(req, "node"));
        const port = req.port as number;
        const server = await startIperfServer(
          systemRunner,
          node,
          str(req, "address"),
          port,
          req.seconds as number,
        );
        this.#servers.set(port, server);
        return { port };
      }
      case "iperf-client": {
        const node = netnsNode(upRecordOf(str(req, "lab")).topology, str(req, "node"));
        return runIperfClient(systemRunner, node, str(req, "to"), {
          address: str(req, "address"),
          port: req.port as number,
          seconds: req.seconds as number,
          ...(req.udp ? { udp: true, bitrate: str(req, "bitrate") } : {}),
        });
      }
      case "iperf-stop": {
        const server = this.#servers.get(req.port as number);
        this.#servers.delete(req.port as number);
        if (server) await stopIperfServer(server);
        return { stopped: !!server };
      }
      case "link":
        return setEndState(
          str(req, "lab"),
          (fn) => withDriver({}, fn),
          str(req, "endpoint"),
          req.state === "down" ? "down" : "up",
        );
      default:
        throw new NslabError(
          "E_USAGE",
          `unknown remote request '${req.op}' (is nslab the same version on both sides?)`,
        );
    }
  }

  #partUp(): PartUp {
    if (!this.#up) throw new NslabError("E_USAGE", "no part is being brought up in this session");
    return this.#up;
  }

  async close(): Promise<void> {
    await this.#up?.finished();
    await Promise.allSettled(this.#listeners.map((l) => l.stop()));
    await Promise.allSettled([...this.#servers.values()].map((s) => stopIperfServer(s)));
  }
}

function netnsNode(t: Topology, name: string): NetnsNode {
  const n = t.nodes.find((x) => x.name === name);
  if (n?.kind !== "netns")
    throw new NslabError("E_NOT_FOUND", `no namespace node '${name}' in lab '${t.name}' on this machine`);
  return n;
}

/** What the controller needs to plan: versions, identity, the underlay, VNIs in use, labs here. */
async function probe(req: RemoteRequest): Promise<MachineFacts> {
  const underlay = str(req, "underlay");
  const peers = (req.peers ?? []) as string[];
  const port = typeof req.port === "number" ? req.port : 4789;
  const [underlayDev, vnis, paths] = await Promise.all([
    deviceWithAddress(systemRunner, underlay),
    vxlanIds(systemRunner),
    Promise.all(peers.map(async (p) => [p, await pathToward(systemRunner, underlay, p)] as const)),
  ]);
  const labs = listLabs();
  // Other labs' tunnels whose devices live inside their namespaces (the root's list misses them).
  for (const lab of labs) {
    try {
      for (const t of readLab(lab)?.topology.tunnels ?? []) vnis.push({ vni: t.vni, port: t.port });
    } catch {}
  }
  return {
    host: str(req, "host"),
    version: nslabVersion(),
    identity: machineIdentity(),
    ...(underlayDev ? { underlayDev } : {}),
    vnis: vnis.filter((v) => v.port === port || req.port === undefined),
    paths: Object.fromEntries(paths),
    labs,
  };
}

/** Take this machine's part down, waiting (bounded) while an `up` of it is still rolling back. */
async function downWaiting(
  lab: string,
  log: (level: "info" | "warn" | "debug", message: string) => void,
  waitMs: number,
): Promise<DownResult> {
  const deadline = Date.now() + waitMs;
  let said = false;
  for (;;) {
    try {
      return await downHere(lab, { log });
    } catch (e) {
      if (!(e instanceof NslabError && e.code === "E_LOCKED") || Date.now() >= deadline) throw e;
      if (!said) log("info", `waiting for another nslab process working on '${lab}' here: ${e.message}`);
      said = true;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
