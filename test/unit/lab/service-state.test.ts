/** A service's state in a word and a line, as `status` prints it and the web view shows it. */
import { describe, expect, it } from "vitest";
import { serviceState } from "../../../src/lab/service-state.js";
import type { ServiceReport } from "../../../src/lab/services.js";

const base: ServiceReport = {
  id: "web/http",
  node: "web",
  name: "http",
  state: "running",
  restarts: 0,
  log: "x",
};

describe("serviceState", () => {
  it.each([
    [{ state: "running", pid: 812 }, "running", true, "running (pid 812)"],
    [{ state: "running", pid: 812, restarts: 2 }, "running", true, "running (pid 812), 2 restarts"],
    [{ state: "backoff", exitCode: 1, restarts: 1 }, "restarting", false, "restarting (code 1), 1 restart"],
    [{ state: "exited", exitCode: 0 }, "done", true, "exited 0"],
    [{ state: "exited", exitCode: 3 }, "failed", false, "exited (code 3)"],
    [{ state: "failed", signal: 9, restarts: 5 }, "failed", false, "failed (signal 9), 5 restarts"],
    [{ state: "stopped" }, "stopped", false, "stopped"],
    [{ state: "unknown" }, "unknown", false, "unknown: the lab's supervisor is not running"],
  ] as const)("%j → %s", (over, condition, ok, text) => {
    expect(serviceState({ ...base, ...over })).toEqual({ condition, ok, text });
  });
});
