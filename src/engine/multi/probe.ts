/**
 * Asking every machine of a multi-machine lab what planning needs (nslab's version, what tells the
 * machine apart, its underlay toward each peer, the VXLAN identifiers in use there, its labs), and
 * checking the answers before anything is changed: same nslab version everywhere, no machine named
 * twice, the lab's name free on each machine.
 */
import { NslabError } from "../../errors.js";
import { VXLAN_PORT } from "../../model/hosts.js";
import type { Host, Topology } from "../../model/types.js";
import type { MachineFacts } from "../../plan/multihost/facts.js";
import { nslabVersion } from "../../util/version.js";
import type { Machines, Outcome } from "./machines.js";

/** Probe `hosts` (every one at once); each machine's facts or its failure. */
export function probeMachines(
  t: Topology,
  hosts: readonly Host[],
  machines: Machines,
): Promise<Map<string, Outcome<MachineFacts>>> {
  const port = t.vxlanPort ?? VXLAN_PORT;
  const byName = new Map(hosts.map((h) => [h.name, h]));
  return machines.each(
    (s, name) => {
      const h = byName.get(name)!;
      return s.request<MachineFacts>(
        "probe",
        {
          lab: t.name,
          host: h.name,
          underlay: h.underlay,
          peers: hosts.filter((p) => p.name !== h.name).map((p) => p.underlay),
          port,
        },
        { timeoutMs: 60_000 },
      );
    },
    hosts.map((h) => h.name),
  );
}

/** What in the machines' facts stops an `up` before anything changes (each line names the machine). */
export function factProblems(t: Topology, facts: ReadonlyMap<string, MachineFacts>): string[] {
  const mine = nslabVersion();
  const out: string[] = [];
  for (const [host, f] of facts) {
    if (f.version !== mine)
      out.push(
        `host ${host} runs nslab ${f.version}, this machine ${mine}: every machine of a lab needs the same version`,
      );
    if (f.underlayDev === undefined) {
      const h = t.hosts?.find((x) => x.name === host);
      out.push(
        `host ${host}: no interface there has the underlay address ${h?.underlay ?? "?"} (hosts.${host}.underlay must be one of that machine's own addresses)`,
      );
    }
  }
  return out;
}

/** Labs of this name on the machines already (a name is taken on every machine at once). */
export function takenOn(t: Topology, facts: ReadonlyMap<string, MachineFacts>): string[] {
  return [...facts].filter(([, f]) => f.labs.includes(t.name)).map(([host]) => host);
}

/** The error for `problems` found in the facts. */
export function factsError(lab: string, problems: readonly string[]): NslabError {
  return new NslabError("E_ENV", `cannot bring up lab '${lab}':\n  - ${problems.join("\n  - ")}`, {
    hint: "nothing was changed on any machine",
  });
}
