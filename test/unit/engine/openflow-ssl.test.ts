/** Which labs need Open vSwitch's SSL setting, and where nslab's OpenFlow PKI keeps each file. */
import { describe, expect, it } from "vitest";
import { pkiFiles } from "../../../src/drivers/ovs/ssl.js";
import { openflowSslService, usesSsl } from "../../../src/engine/services/openflow-ssl.js";
import { topologyFromObject } from "../../../src/index.js";

const lab = (controller: string) =>
  topologyFromObject({
    name: "ssl",
    nodes: {
      h1: { interfaces: { eth0: "10.0.0.1/24" } },
      s1: { kind: "ovs-bridge", controller },
    },
    links: [["h1:eth0", "s1:s1-eth1"]],
  });

describe("OpenFlow SSL", () => {
  it("is needed by a lab with an ssl: controller, and by its ovs.bridge.set, not by tcp: ones", () => {
    expect(usesSsl(lab("ssl:10.0.0.9:6653"))).toBe(true);
    expect(usesSsl(lab("tcp:10.0.0.9:6653"))).toBe(false);
    const set = (controllers: string[]) => ({
      op: "ovs.bridge.set" as const,
      bridge: "s1",
      controllers,
      failMode: "secure" as const,
      protocols: [],
    });
    expect(openflowSslService.neededBy([set(["tcp:1.2.3.4:6653", "ssl:1.2.3.4:6653"])] as never)).toBe(true);
    expect(openflowSslService.neededBy([set(["tcp:1.2.3.4:6653"])] as never)).toBe(false);
  });

  it("keeps the switch's and the controller's halves of the PKI apart, as ovs-pki lays them out", () => {
    expect(pkiFiles("/run/nslab/openflow-pki")).toEqual({
      dir: "/run/nslab/openflow-pki",
      switchKey: "/run/nslab/openflow-pki/sc-privkey.pem",
      switchCert: "/run/nslab/openflow-pki/sc-cert.pem",
      controllerCa: "/run/nslab/openflow-pki/pki/controllerca/cacert.pem",
      controllerKey: "/run/nslab/openflow-pki/ctl-privkey.pem",
      controllerCert: "/run/nslab/openflow-pki/ctl-cert.pem",
      switchCa: "/run/nslab/openflow-pki/pki/switchca/cacert.pem",
    });
  });
});
