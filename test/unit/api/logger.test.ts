/** Library warnings reach the user without a logger: each once on stderr; silenced when asked. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseTopology } from "../../../src/model/load.js";
import { setDefaultLogger, silentLogger, stderrWarnings } from "../../../src/util/logger.js";

const loop = (name: string) => `name: ${name}
nodes: { b1: { kind: bridge }, b2: { kind: bridge } }
links: [[b1:b1p1, b2:b2p1], [b1:b1p2, b2:b2p2]]
`;

afterEach(() => {
  setDefaultLogger(stderrWarnings);
  vi.restoreAllMocks();
});

describe("the default logger", () => {
  it("says each warning once on stderr when a call gives no logger", () => {
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    parseTopology(loop("once"), { file: "once.yaml" });
    parseTopology(loop("once"), { file: "once.yaml" });
    const said = write.mock.calls.map((c) => String(c[0]));
    expect(said).toEqual([expect.stringMatching(/^nslab: warning: once\.yaml:3:\d+.*form a loop/)]);
  });

  it("is silenced for a call (log) or for the program (setDefaultLogger)", () => {
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    parseTopology(loop("quiet-call"), { file: "a.yaml", log: silentLogger });
    setDefaultLogger(silentLogger);
    parseTopology(loop("quiet-program"), { file: "b.yaml" });
    expect(write).not.toHaveBeenCalled();
  });
});
