/**
 * The health of a lab's services, as `status` reports it: the lab's supervisor must be running
 * (else nothing watches or restarts them), and no service may have failed or exited with an error.
 * Reads the supervisor's status file once per lab.
 */
import { readStatus, type ServiceState, supervisorAlive } from "../drivers/supervisor.js";
import { type Service, serviceId } from "../model/env-types.js";
import { labDir } from "../state/lab-dir.js";
import type { LabState } from "../state/store.js";
import type { HealthProblem, LabCheck } from "./health-types.js";

/**
 * Whether service `s`, as the supervisor reports it (`st`), has failed: it is neither running nor
 * waiting to restart, and did not end as it may (a oneshot, or a service not restarted always,
 * that exited with code 0). `up` of the lab's file starts such a service again.
 */
export function serviceFailed(s: Service, st: ServiceState | undefined): boolean {
  if (!st || st.state === "running" || st.state === "backoff") return false;
  return !(st.state === "exited" && st.exitCode === 0 && (s.oneshot || s.restart !== "always"));
}

const hasServices = (record: LabState) =>
  record.topology.nodes.some((n) => n.kind === "netns" && (n.services?.length ?? 0) > 0);

export const nodeServicesCheck: LabCheck = {
  name: "services",
  appliesTo: (record) => record.status === "up" && hasServices(record),
  async check({ lab, record }) {
    const dir = labDir(lab);
    if (!supervisorAlive(dir))
      return [
        {
          what: "the lab's service supervisor is not running: its services are not watched, restarted or reported",
          where: "the lab's services",
          fix: `nslab up of the lab's file starts it again with every service, once no process it started is left (else: nslab down ${lab}, then up)`,
          check: "services",
        },
      ];
    const status = readStatus(dir);
    const problems: HealthProblem[] = [];
    for (const n of record.topology.nodes) {
      if (n.kind !== "netns") continue;
      for (const s of n.services ?? []) {
        const st = status?.services.find((x) => x.id === serviceId(s));
        if (!st || !serviceFailed(s, st)) continue;
        problems.push({
          what: `${st.state === "failed" ? "failed: " : ""}${st.signal ? `killed by signal ${st.signal}` : `exited with code ${st.exitCode}`}${st.restarts > 0 ? ` after ${st.restarts} restarts` : ""}`,
          where: `node ${s.node}, service ${s.name}`,
          fix: `see its log: nslab logs ${lab} ${s.node} ${s.name}; once the cause is fixed, nslab up of the lab's file starts it again`,
          check: "services",
        });
      }
    }
    return problems;
  },
};
