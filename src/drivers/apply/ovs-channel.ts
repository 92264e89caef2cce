/**
 * OVS operations as OVSDB transactions: all new bridges with their ports in one transaction (like
 * one `ovs-vsctl add-br … -- add-port …` call), deletions in another; waits for ovs-vswitchd to
 * apply them so the lab works when `up` returns. `vsctlChannel` does the same through one chained
 * `ovs-vsctl` call (the reference path, used to cross-check).
 */
import { opCommands } from "../../plan/commands.js";
import { labOfMarker, type Op, type OpOf, OVS_LAB_KEY } from "../../plan/ops.js";
import {
  addBridges,
  addPorts,
  type BridgeSpec,
  deleteBridges,
  deletePorts,
  type OpenFlowColumns,
  type OvsdbClient,
  type PortSpec,
  setBridgesOpenflow,
} from "../ovs/index.js";
import { formatArgv, type Runner } from "../runner/index.js";
import type { Channel, OpOutcome } from "./types.js";

/** Time ovs-vswitchd may take to apply a change: it adds ~100 ports a second on the userspace datapath. */
export function vswitchdTimeout(ports: number): number {
  return 30_000 + ports * 60;
}

/** The OVSDB channel; `connect` opens (or reuses) the connection to ovsdb-server. */
export function ovsdbChannel(connect: () => Promise<OvsdbClient>): Channel {
  return {
    name: "ovsdb",
    async apply(ops, mode) {
      const outcomes: OpOutcome[] = ops.map(() => ({ status: "skipped" }));
      const groups = groupOvsOps(ops);
      let failed = false;
      for (const g of groups) {
        if (failed && mode === "stop") break;
        try {
          const client = await connect();
          await g.run(client);
          for (const i of g.indexes) outcomes[i] = { status: "ok" };
        } catch (e) {
          failed = true;
          const message = (e as Error).message;
          const command = formatArgv(["ovs-vsctl", ...chain(g.indexes.map((i) => ops[i]!))]);
          // A transaction is atomic: nothing of it was applied.
          for (const i of g.indexes) outcomes[i] = { status: "failed", message, command };
        }
      }
      return outcomes;
    },
  };
}

interface Group {
  indexes: number[];
  run(client: OvsdbClient): Promise<unknown>;
}

/**
 * Split OVS ops into transactions: new bridges (+ their ports and OpenFlow settings, so a bridge is
 * born with its controller and fail mode), ports on other bridges, settings of other bridges,
 * deletions.
 */
function groupOvsOps(ops: readonly Op[]): Group[] {
  const lab = (marker: string) => labOfMarker(marker) ?? marker;
  const newBridges = new Map<string, { spec: BridgeSpec; indexes: number[] }>();
  const extraPorts = new Map<string, { ops: OpOf<"ovs.port.add">[]; indexes: number[] }>();
  const delBridges: { names: string[]; indexes: number[] } = { names: [], indexes: [] };
  const settings: { bridges: { name: string; openflow: OpenFlowColumns }[]; indexes: number[] } = {
    bridges: [],
    indexes: [],
  };
  const delPorts = new Map<string, { names: string[]; indexes: number[] }>();
  ops.forEach((op, i) => {
    switch (op.op) {
      case "ovs.bridge.add":
        newBridges.set(op.bridge, {
          spec: {
            name: op.bridge,
            datapathType: op.datapath,
            externalIds: { [OVS_LAB_KEY]: lab(op.marker) },
            ...(op.stp ? { stp: true } : {}),
            ports: [],
          },
          indexes: [i],
        });
        break;
      case "ovs.port.add": {
        const port = portSpec(op);
        const nb = newBridges.get(op.bridge);
        if (nb) {
          nb.spec.ports.push(port);
          nb.indexes.push(i);
        } else {
          const g = extraPorts.get(op.bridge) ?? { ops: [], indexes: [] };
          g.ops.push(op);
          g.indexes.push(i);
          extraPorts.set(op.bridge, g);
        }
        break;
      }
      case "ovs.bridge.set": {
        const openflow: OpenFlowColumns = {
          controllers: op.controllers,
          failMode: op.failMode,
          protocols: op.protocols,
          ...(op.dpid !== undefined ? { dpid: op.dpid } : {}),
        };
        const nb = newBridges.get(op.bridge);
        if (nb) {
          nb.spec.openflow = openflow;
          nb.indexes.push(i);
        } else {
          settings.bridges.push({ name: op.bridge, openflow });
          settings.indexes.push(i);
        }
        break;
      }
      case "ovs.bridge.del":
        delBridges.names.push(op.bridge);
        delBridges.indexes.push(i);
        break;
      case "ovs.port.del": {
        const g = delPorts.get(op.bridge) ?? { names: [], indexes: [] };
        g.names.push(op.port);
        g.indexes.push(i);
        delPorts.set(op.bridge, g);
        break;
      }
      default:
        throw new Error(`internal: ${op.op} is not an OVS operation`);
    }
  });
  const groups: Group[] = [];
  if (newBridges.size > 0) {
    const specs = [...newBridges.values()];
    const ports = specs.reduce((n, s) => n + s.spec.ports.length, 0);
    groups.push({
      indexes: specs.flatMap((s) => s.indexes),
      run: async (c) => {
        // `down` returns without waiting for ovs-vswitchd to release the ports of the bridges it
        // deleted (see teardown). A bridge of the same name committed before that is done could be
        // merged by ovs-vswitchd with the old one and keep the old ports' dead sockets: first let
        // it finish whatever is pending (no wait at all when it is idle).
        await c.waitForCfg(await c.pendingCfg(), vswitchdTimeout(1000));
        return addBridges(
          c,
          specs.map((s) => s.spec),
          { wait: true, timeoutMs: vswitchdTimeout(ports) },
        );
      },
    });
  }
  for (const [bridge, g] of extraPorts)
    groups.push({
      indexes: g.indexes,
      run: (c) =>
        addPorts(c, bridge, g.ops.map(portSpec), { wait: true, timeoutMs: vswitchdTimeout(g.ops.length) }),
    });
  if (settings.bridges.length > 0)
    groups.push({
      indexes: settings.indexes,
      run: (c) =>
        setBridgesOpenflow(c, settings.bridges, {
          wait: true,
          timeoutMs: vswitchdTimeout(settings.bridges.length),
        }),
    });
  for (const [bridge, g] of delPorts)
    groups.push({
      indexes: g.indexes,
      run: (c) => deletePorts(c, bridge, g.names, { wait: true, timeoutMs: vswitchdTimeout(g.names.length) }),
    });
  if (delBridges.names.length > 0)
    groups.push({
      indexes: delBridges.indexes,
      run: (c) => deleteBridges(c, delBridges.names, { wait: true, timeoutMs: vswitchdTimeout(1000) }),
    });
  return groups;
}

/** The port an `ovs.port.add` creates: marked as the lab's, with its access VLAN if it has one. */
function portSpec(op: OpOf<"ovs.port.add">): PortSpec {
  return {
    name: op.port,
    externalIds: { [OVS_LAB_KEY]: labOfMarker(op.marker) ?? op.marker },
    ...(op.tag !== undefined ? { tag: op.tag } : {}),
    ...(op.ofport !== undefined ? { ofport: op.ofport } : {}),
  };
}

/** ovs-vsctl arguments of several ops chained into one transaction. */
function chain(ops: readonly Op[]): string[] {
  const out: string[] = [];
  for (const op of ops)
    for (const c of opCommands(op)) {
      if (out.length > 0) out.push("--");
      out.push(...c.args);
    }
  return out;
}

/** The same operations through one chained `ovs-vsctl` call. */
export function vsctlChannel(runner: Runner, dbSocket?: string): Channel {
  return {
    name: "ovs-vsctl",
    async apply(ops) {
      const args = chain(ops);
      const argv = [
        "ovs-vsctl",
        ...(dbSocket ? [`--db=unix:${dbSocket}`] : []),
        `--timeout=${Math.ceil(vswitchdTimeout(ops.length) / 1000)}`,
        ...args,
      ];
      const res = await runner.run(argv, {
        allowFailure: true,
        timeoutMs: vswitchdTimeout(ops.length) + 5000,
      });
      if (res.exitCode === 0) return ops.map(() => ({ status: "ok" }) as const);
      const message = res.stderr.trim() || `ovs-vsctl exited with code ${res.exitCode}`;
      return ops.map(() => ({ status: "failed", message, command: formatArgv(argv) }) as const);
    },
  };
}
