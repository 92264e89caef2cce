/** What the web panel writes of an OVS bridge's OpenFlow state: controllers connected or not, defaults named. */
import { describe, expect, it } from "vitest";
import { openflowView } from "../../../src/web/client/openflow.js";

describe("openflowView", () => {
  it("names a connected controller with its role and counts several", () => {
    const v = openflowView({
      failMode: "secure",
      protocols: ["OpenFlow10", "OpenFlow13"],
      dpid: "0000000000000001",
      controllers: [
        { target: "tcp:127.0.0.1:6653", connected: true, role: "master", state: "ACTIVE" },
        { target: "tcp:127.0.0.1:6654", connected: false, state: "BACKOFF", lastError: "Connection refused" },
      ],
    });
    expect(v.dpid).toBe("0000000000000001");
    expect(v.failMode).toMatch(/^secure \(without a controller: only the flows installed\)/);
    expect(v.protocols).toBe("OpenFlow10, OpenFlow13");
    expect(v.controllers).toEqual([
      { target: "tcp:127.0.0.1:6653", connected: true, text: "connected (master)" },
      {
        target: "tcp:127.0.0.1:6654",
        connected: false,
        text: "not connected: Connection refused (BACKOFF)",
      },
    ]);
    expect(v.summary).toBe("1 of 2 connected");
  });

  it("names OVS's defaults: standalone, every version, no controller, no dpid yet", () => {
    const v = openflowView({ failMode: "standalone", protocols: [], controllers: [] });
    expect(v).toEqual({
      dpid: "not assigned yet",
      failMode: "standalone (without a controller: a learning switch)",
      protocols: "OVS's default (OpenFlow10 to OpenFlow15)",
      controllers: [],
      summary: "no controller",
    });
  });

  it("writes a lone controller's state as the summary, without a reason when OVS gives none", () => {
    const v = openflowView({
      failMode: "secure",
      protocols: [],
      controllers: [{ target: "ssl:10.0.0.1:6653", connected: false }],
    });
    expect(v.summary).toBe("not connected");
  });
});
