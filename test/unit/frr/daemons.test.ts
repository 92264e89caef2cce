/** FRR's daemons file read without a shell, the daemons a router runs, and words split as a shell would. */
import { describe, expect, it } from "vitest";
import { parseTopology, topologyFromFile } from "../../../src/model/load.js";
import { daemonsToRun, parseDaemonsFile } from "../../../src/plan/frr/daemons.js";
import { type FrrHost, planFrr } from "../../../src/plan/frr/routers.js";
import { shellWords } from "../../../src/util/words.js";

const DAEMONS = `# which daemons run
zebra=yes
bgpd=no
ospfd=yes
ospf6d=0
ldpd=yes
staticd=no
isisd=

vtysh_enable=yes
zebra_options=" -s 90000000 --daemon -A 127.0.0.1"
ospfd_options="  --daemon -A 127.0.0.1"
ldpd_options='-A 127.0.0.1 -d'
frr_profile="datacenter"
if [ -f /etc/default/x ]; then . /etc/default/x; fi
colour=blue
`;

const host: FrrHost = {
  dir: "/usr/lib/frr",
  vtysh: "/usr/bin/vtysh",
  version: "8.4.4",
  daemons: ["zebra", "staticd", "ospfd", "ldpd"],
};

describe("FRR's daemons file", () => {
  it("is read as name=value lines: on unless no/0/empty, options without the daemonizing flag", () => {
    const d = parseDaemonsFile(DAEMONS);
    expect(d.enabled).toEqual(["zebra", "ospfd", "ldpd"]);
    expect(d.options).toEqual({
      zebra: ["-s", "90000000", "-A", "127.0.0.1"],
      ospfd: ["-A", "127.0.0.1"],
      ldpd: ["-A", "127.0.0.1"],
    });
    expect(d.global).toEqual(["-F", "datacenter"]);
    expect(d.ignored).toEqual([
      {
        line: 10,
        text: "vtysh_enable=yes",
        reason: "a setting of FRR's start scripts, which nslab does not use",
      },
      {
        line: 15,
        text: "if [ -f /etc/default/x ]; then . /etc/default/x; fi",
        reason: "not a name=value setting (shell code is not run)",
      },
      { line: 16, text: "colour=blue", reason: "'colour' is not a setting FRR's daemons file has" },
    ]);
  });

  it("zebra and staticd always run (mgmtd where the host has it), zebra first, in FRR's order", () => {
    expect(daemonsToRun(["ldpd", "ospfd"], new Set(["zebra", "staticd", "ospfd", "ldpd"]))).toEqual([
      "zebra",
      "staticd",
      "ospfd",
      "ldpd",
    ]);
    expect(daemonsToRun(["bgpd"], new Set(["zebra", "mgmtd", "staticd", "bgpd"]))).toEqual([
      "zebra",
      "mgmtd",
      "staticd",
      "bgpd",
    ]);
  });

  it("a router with its own frr.conf and daemons file: the user's options, loaded by vtysh -b", () => {
    const t = topologyFromFile(
      "/labs/x/lab.yaml",
      "name: x\nnodes:\n  r1: { kind: router, frr: { config: r1/frr.conf, daemons: r1/daemons } }\n",
    );
    const files = new Map([
      ["/labs/x/r1/frr.conf", "frr version 10.5.1\nhostname r1\n"],
      ["/labs/x/r1/daemons", DAEMONS],
    ]);
    const p = planFrr(t, host, files);
    expect(p.problems).toEqual([]);
    const r = p.routers[0]!;
    expect(r.daemons.map((d) => d.argv.join(" "))).toEqual([
      "/usr/lib/frr/zebra -s 90000000 -A 127.0.0.1 -F datacenter --log stdout --log-level informational",
      "/usr/lib/frr/staticd -A 127.0.0.1 -F datacenter --log stdout --log-level informational",
      "/usr/lib/frr/ospfd -A 127.0.0.1 -F datacenter --log stdout --log-level informational",
      "/usr/lib/frr/ldpd -A 127.0.0.1 -F datacenter --log stdout --log-level informational",
    ]);
    expect(r.load).toEqual(["/usr/bin/vtysh", "-b"]);
    expect(r.files.map((f) => f.name)).toEqual(["daemons", "frr.conf", "vtysh.conf"]);
    expect(p.warnings.map((w) => w.message)).toEqual([
      "router 'r1': /labs/x/r1/daemons:10: 'vtysh_enable=yes' is ignored: a setting of FRR's start scripts, which nslab does not use",
      "router 'r1': /labs/x/r1/daemons:15: 'if [ -f /etc/default/x ]; then . /etc/default/x; fi' is ignored: not a name=value setting (shell code is not run)",
      "router 'r1': /labs/x/r1/daemons:16: 'colour=blue' is ignored: 'colour' is not a setting FRR's daemons file has",
      "router 'r1': /labs/x/r1/frr.conf was written for FRR 10.5.1; this host runs FRR 8.4.4 (its commands were checked with this host's vtysh)",
    ]);
  });

  it("says what the host lacks: FRR itself, a daemon, a file", () => {
    const t = parseTopology(
      "name: x\nnodes:\n  r1: { kind: router, frr: { daemons: [bgpd], config: /nonexistent/frr.conf } }\n",
      {
        file: "lab.yaml",
      },
    );
    expect(planFrr(t, undefined, new Map()).problems.map((p) => p.message)).toEqual([
      "FRR is not installed, and router r1 runs it",
    ]);
    const missing = planFrr(t, host, new Map([["/nonexistent/frr.conf", "hostname r1\n"]]));
    expect(missing.problems.map((p) => p.message)).toEqual([
      "router 'r1' needs bgpd, which this host's FRR (8.4.4) does not have in /usr/lib/frr",
    ]);
    const unread = planFrr(
      t,
      { ...host, daemons: [...host.daemons, "bgpd"] },
      new Map([["/nonexistent/frr.conf", { error: "ENOENT" }]]),
    );
    expect(unread.problems.map((p) => `${p.location?.line}:${p.location?.column} ${p.message}`)).toEqual([
      "3:55 cannot read /nonexistent/frr.conf: ENOENT",
    ]);
  });
});

describe("words split as a shell would, without one", () => {
  it.each([
    ["ip addr add 10.0.0.1/24 dev eth1", ["ip", "addr", "add", "10.0.0.1/24", "dev", "eth1"]],
    [
      `vtysh -c "show ip route" -c 'show ip ospf neighbor'`,
      ["vtysh", "-c", "show ip route", "-c", "show ip ospf neighbor"],
    ],
    [`echo a\\ b "c\\"d" 'e\\f' ""`, ["echo", "a b", 'c"d', "e\\f", ""]],
    ["echo $HOME | wc > x", ["echo", "$HOME", "|", "wc", ">", "x"]],
    ["  spaced   out  ", ["spaced", "out"]],
  ])("%s", (line, words) => {
    expect(shellWords(line)).toEqual(words);
  });

  it("refuses an unclosed quote", () => {
    expect(shellWords(`echo "open`)).toEqual({ error: "a double quote is not closed" });
    expect(shellWords("echo 'open")).toEqual({ error: "a single quote is not closed" });
  });
});
