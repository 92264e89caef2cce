/**
 * Mininet's --switch, --controller, --mac and --arp on generated labs: parsed as `mn` reads them,
 * turned into the fields a file would write, refused with a reason where nslab cannot follow.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { topologyFromObject } from "../../../src/model/load.js";
import type { OvsBridgeNode } from "../../../src/model/types.js";
import { generatedYaml, generateTopology, hostMac } from "../../../src/sources/mininet/index.js";
import { generatorOptions, parseControllers, parseSwitch } from "../../../src/sources/mininet/options.js";

describe("--switch", () => {
  it("reads Mininet's switch names and parameters", () => {
    expect(parseSwitch("ovsk,protocols=OpenFlow13")).toEqual({ kind: "ovs", protocols: "OpenFlow13" });
    expect(parseSwitch("ovs,protocols=openflow10,failMode=standalone,datapath=user")).toEqual({
      kind: "ovs",
      protocols: "OpenFlow10",
      failMode: "standalone",
      datapath: "netdev",
    });
    expect(parseSwitch("lxbr")).toEqual({ kind: "bridge" });
    expect(parseSwitch("ovsbr")).toEqual({ kind: "ovs", bridgeOnly: true });
  });

  it("refuses what nslab does not do, saying what it does", () => {
    expect(() => parseSwitch("user")).toThrow(/does not run Mininet's user-space reference switch/);
    expect(() => parseSwitch("ovs,protocols=OpenFlow16")).toThrow(/not an OpenFlow version/);
    expect(() => parseSwitch("ovs,failMode=closed")).toThrow(/use secure or standalone/);
    expect(() => parseSwitch("ovs,inband=True")).toThrow(/does not take inband=/);
    expect(() => parseSwitch("ovsbr,failMode=secure")).toThrow(/standalone OVS bridge/);
  });
});

describe("--controller", () => {
  it("turns remote's forms into targets, 127.0.0.1:6653 unless given", () => {
    expect(parseControllers(["remote"])).toEqual(["tcp:127.0.0.1:6653"]);
    expect(parseControllers(["remote,ip=10.0.0.9,port=6633"])).toEqual(["tcp:10.0.0.9:6633"]);
    expect(parseControllers(["remote,10.0.0.9,6634"])).toEqual(["tcp:10.0.0.9:6634"]);
    expect(parseControllers(["remote,ip=10.0.0.9:6635"])).toEqual(["tcp:10.0.0.9:6635"]);
    expect(parseControllers(["remote,ip=fd00::1"])).toEqual(["tcp:[fd00::1]:6653"]);
    expect(parseControllers(["default", "remote,port=7000"])).toEqual(["default", "tcp:127.0.0.1:7000"]);
    expect(parseControllers(["none"])).toEqual([]);
  });

  it("refuses controllers nslab does not start, pointing at remote", () => {
    expect(() => parseControllers(["ryu"])).toThrow(/nslab does not start ryu/);
    expect(() => parseControllers(["ref"])).toThrow(/not packaged for Debian/);
    expect(() => parseControllers(["remote,port=x"])).toThrow(/port=x is not a port number/);
    expect(() => parseControllers(["none", "default"])).toThrow(/none goes alone/);
  });
});

describe("generated labs with Mininet's options", () => {
  it("a controller makes the switches OVS with it; a Linux bridge or ovsbr refuses one", () => {
    expect(generatorOptions({ controller: ["remote,port=6654"] })).toEqual({
      switch: "ovs",
      ovs: { controller: ["tcp:127.0.0.1:6654"] },
    });
    expect(generatorOptions({})).toEqual({ switch: "bridge" });
    expect(generatorOptions({ controller: ["none"], switch: "ovs" })).toEqual({ switch: "ovs" });
    expect(() => generatorOptions({ switch: "lxbr", controller: ["remote"] })).toThrow(
      /a Linux bridge takes no OpenFlow controller/,
    );
    expect(() => generatorOptions({ switch: "ovsbr", controller: ["default"] })).toThrow(
      /without a controller/,
    );
  });

  it("every switch gets the controller, versions and fail mode; hosts Mininet's MACs and static ARP", () => {
    const options = generatorOptions({
      switch: "ovsk,protocols=OpenFlow13,failMode=standalone",
      controller: ["remote,port=6654"],
      mac: true,
      arp: true,
    });
    const spec = generateTopology("linear,3", options);
    expect(parse(generatedYaml(spec, "linear,3"))).toEqual(spec);
    const t = topologyFromObject(spec, { prefix: "x1a2-" });
    const switches = t.nodes.filter((n): n is OvsBridgeNode => n.kind === "ovs-bridge");
    expect(switches.map((s) => [s.name, s.openflow?.controllers, s.openflow?.dpid])).toEqual([
      ["s1", ["tcp:127.0.0.1:6654"], "0000000000000001"],
      ["s2", ["tcp:127.0.0.1:6654"], "0000000000000002"],
      ["s3", ["tcp:127.0.0.1:6654"], "0000000000000003"],
    ]);
    expect(switches[0]!.openflow).toMatchObject({ failMode: "standalone", protocols: ["OpenFlow13"] });
    const h3 = t.nodes.find((n) => n.name === "h3");
    expect(h3?.kind === "netns" && h3.interfaces[0]!.mac).toBe("00:00:00:00:00:03");
    expect(h3?.kind === "netns" && h3.neighbors?.map((n) => [n.address, n.mac])).toEqual([
      ["10.0.0.1", "00:00:00:00:00:01"],
      ["10.0.0.2", "00:00:00:00:00:02"],
    ]);
    expect(hostMac(300)).toBe("00:00:00:00:01:2c");
  });
});
