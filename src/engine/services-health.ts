/**
 * The health of a lab's services, as `status` reports it: the lab's supervisor must be running
 * (else nothing watches or restarts them), and no service may have failed or exited with an error.
 * Reads the supervisor's status file once per lab.
 */
import { readStatus, supervisorAlive } from "../drivers/supervisor.js";
import { serviceId } from "../model/env-types.js";
import { labDir } from "../state/lab-dir.js";
import type { LabState } from "../state/store.js";
import type { HealthProblem, LabCheck } from "./health-types.js";

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
          fix: `nslab down ${lab}, then bring it up again`,
          check: "services",
        },
      ];
    const status = readStatus(dir);
    const problems: HealthProblem[] = [];
    for (const n of record.topology.nodes) {
      if (n.kind !== "netns") continue;
      for (const s of n.services ?? []) {
        const st = status?.services.find((x) => x.id === serviceId(s));
        if (!st || st.state === "running" || st.state === "backoff") continue;
        if (st.state === "exited" && st.exitCode === 0 && (s.oneshot || s.restart !== "always")) continue;
        problems.push({
          what: `${st.state === "failed" ? "failed: " : ""}${st.signal ? `killed by signal ${st.signal}` : `exited with code ${st.exitCode}`}${st.restarts > 0 ? ` after ${st.restarts} restarts` : ""}`,
          where: `node ${s.node}, service ${s.name}`,
          fix: `see its log: nslab logs ${lab} ${s.node} ${s.name}`,
          check: "services",
        });
      }
    }
    return problems;
  },
};
