/**
 * containerlab's FRR nodes → routers running the host's FRR: by image (kind linux, binds of
 * /etc/frr/daemons and frr.conf — frr01's older style; other binds become files, binds.test.ts) and by kind (groups, startup-config,
 * extras.frr.daemons — its current style); the PCs beside them stay plain namespaces. The labs here
 * are written in frr01's style, not copied from it.
 */
import { describe, expect, it } from "vitest";
import { formatProblem, TopologyError } from "../../../src/errors.js";
import { resolveTopology } from "../../../src/model/resolve.js";
import type { NetnsNode } from "../../../src/model/types.js";
import { isFrrImage } from "../../../src/sources/clab/frr.js";
import { convertClabText } from "../../../src/sources/clab/index.js";

const BINDS = `name: tri
topology:
  nodes:
    ra:
      kind: linux
      image: frrouting/frr:v8.4.1
      binds:
        - ra/daemons:/etc/frr/daemons
        - ra/frr.conf:/etc/frr/frr.conf
    rb:
      kind: linux
      image: quay.io/frrouting/frr:9.1.0
      binds:
        - rb/daemons:/etc/frr/daemons
        - rb/frr.conf:/etc/frr/frr.conf:ro
    pc:
      kind: linux
      image: wbitt/network-multitool:latest
      exec:
        - ip link set eth1 up
        - ip addr add 10.9.1.2/24 dev eth1
        - ip route add 10.9.0.0/16 via 10.9.1.1 dev eth1
  links:
    - endpoints: ["ra:eth1", "rb:eth1"]
    - endpoints: ["pc:eth1", "ra:eth2"]
`;

const KIND = `name: tri2
topology:
  groups:
    routers:
      kind: frr
      image: quay.io/frrouting/frr:containerlab-10.7.1
      extras:
        frr:
          daemons: [ospfd, ldpd]
    hosts:
      kind: linux
      image: alpine:3
  nodes:
    ra: { group: routers, startup-config: ra/frr.conf }
    rb: { group: routers, startup-config: rb/frr.conf }
    pc:
      group: hosts
      exec: [ip addr add 10.9.1.2/24 dev eth1]
  links:
    - endpoints: ["ra:eth1", "rb:eth1"]
    - endpoints: ["pc:eth1", "ra:eth2"]
`;

function convert(text: string) {
  const r = convertClabText(text, "/labs/tri.clab.yml", "/labs/tri.clab.yml");
  return { ...r, topology: resolveTopology(r.spec), warnings: r.warnings.map(formatProblem) };
}

describe("containerlab FRR nodes", () => {
  it("recognises FRR's images, any registry, tag or digest, and nothing else", () => {
    for (const image of [
      "frrouting/frr",
      "frrouting/frr:v7.5.1",
      "quay.io/frrouting/frr:containerlab-10.7.1",
      "docker.io/frrouting/frr@sha256:0123abcd",
    ])
      expect(isFrrImage(image), image).toBe(true);
    for (const image of ["frrouting/frr-debian", "myfrrouting/frr", "alpine", "wbitt/network-multitool", 3])
      expect(isFrrImage(image), String(image)).toBe(false);
  });

  it("binds style: routers with the bound frr.conf and daemons file, relative to the .clab.yml", () => {
    const r = convert(BINDS);
    expect(r.document.nodes).toMatchObject({
      ra: { kind: "router", frr: { daemons: "ra/daemons", config: "ra/frr.conf" } },
      rb: { kind: "router", frr: { daemons: "rb/daemons", config: "rb/frr.conf" } },
      pc: { interfaces: { eth1: { addresses: ["10.9.1.2/24"] } } },
    });
    const ra = r.topology.nodes.find((n) => n.name === "ra") as NetnsNode;
    expect(ra.router).toBe(true);
    expect(ra.frr).toMatchObject({
      config: "/labs/ra/frr.conf",
      daemons: { kind: "file", path: "/labs/ra/daemons" },
    });
    // Errors about those files point at the binds that name them.
    expect(ra.frr!.at?.config).toMatchObject({ file: "/labs/tri.clab.yml", line: 9 });
    expect(ra.frr!.at?.daemons).toMatchObject({ line: 8 });
    // Only the tool box's image is ignored.
    expect(r.warnings).toEqual([
      expect.stringMatching(/^\/labs\/tri\.clab\.yml:18:7 .*'image' is ignored for node pc: /),
    ]);
  });

  it("kind style: groups carry kind, image and extras; startup-config is the frr.conf", () => {
    const r = convert(KIND);
    expect(r.document.nodes).toMatchObject({
      ra: { kind: "router", frr: { config: "ra/frr.conf", daemons: ["ospfd", "ldpd"] } },
      rb: { kind: "router", frr: { config: "rb/frr.conf", daemons: ["ospfd", "ldpd"] } },
      pc: {},
    });
    const rb = r.topology.nodes.find((n) => n.name === "rb") as NetnsNode;
    expect(rb.frr).toMatchObject({
      config: "/labs/rb/frr.conf",
      daemons: { kind: "list", names: ["ospfd", "ldpd"] },
    });
    expect(r.warnings).toEqual([expect.stringMatching(/'image' is ignored for node pc: /)]);
  });

  it("a daemon FRR does not have is an error at the extras line", () => {
    try {
      convert(KIND.replace("[ospfd, ldpd]", "[ospfd, ospfd7]"));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TopologyError);
      const [p] = (e as TopologyError).problems;
      expect(p!.message).toBe("'ospfd7' is not an FRR daemon");
      expect(p!.location).toMatchObject({ file: "/labs/tri.clab.yml", line: 9 });
    }
  });

  it("says what it does not take: vtysh.conf, both config sources, inline configurations; other binds are files", () => {
    const r = convert(
      BINDS.replace(
        "        - ra/frr.conf:/etc/frr/frr.conf\n",
        "        - ra/frr.conf:/etc/frr/frr.conf\n        - ra/vtysh.conf:/etc/frr/vtysh.conf\n        - ra/web:/srv/web\n      startup-config: ra/other.conf\n",
      ),
    );
    expect(r.document.nodes).toMatchObject({
      ra: { frr: { config: "ra/other.conf" }, files: { "/srv/web": "ra/web" } },
    });
    expect(r.warnings.join("\n")).toMatch(
      /bind 'ra\/vtysh.conf:\/etc\/frr\/vtysh.conf' of node 'ra' is not used/,
    );
    expect(r.warnings.join("\n")).toMatch(/both 'startup-config' and a bind onto \/etc\/frr\/frr.conf/);
    expect(() =>
      convert(KIND.replace("startup-config: ra/frr.conf", 'startup-config: "hostname ra\\n"')),
    ).toThrow(/inline configurations are not imported/);
  });
});
