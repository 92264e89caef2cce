/**
 * A containerlab FRR lab in the style of containerlab's lab-examples/frr01, written for nslab's
 * tests (not copied from it): three FRR routers in a triangle, each with a bound daemons file and
 * integrated frr.conf (addresses in frr.conf, OSPF by `network` statements, the PC side passive),
 * one PC per router configured by exec lines, with a file of the lab bound over its /etc/motd. The router links are point-to-point with 1 s hellos
 * so the lab converges in seconds (frr01 keeps FRR's broadcast defaults: about 50 s).
 */
import { mkdirSync } from "node:fs";
import type { scratch } from "./net.js";

const DAEMONS = `# FRR daemons file, as FRR's packages ship it (shell syntax, read without a shell by nslab)
zebra=yes
bgpd=no
ospfd=yes
ospf6d=no
ldpd=no
staticd=no
vtysh_enable=yes
zebra_options="  -A 127.0.0.1 -s 90000000 --daemon"
ospfd_options="  --daemon -A 127.0.0.1"
`;

/** Router n's frr.conf: links to the other two routers and its PC. */
function frrConf(n: number): string {
  // Triangle subnets: 1–2 on 10.91.12.0/24, 1–3 on 10.91.13.0/24, 2–3 on 10.91.23.0/24.
  const peers = [1, 2, 3].filter((m) => m !== n);
  const lines = ["frr version 8.4.4", "frr defaults traditional", `hostname router${n}`, "!"];
  peers.forEach((m, i) => {
    const [a, b] = n < m ? [n, m] : [m, n];
    lines.push(
      `interface eth${i + 1}`,
      ` ip address 10.91.${a}${b}.${n}/24`,
      " ip ospf network point-to-point",
      " ip ospf hello-interval 1",
      " ip ospf dead-interval 4",
      "!",
    );
  });
  lines.push(
    "interface eth3",
    ` ip address 10.92.${n}.1/24`,
    "!",
    "interface lo",
    ` ip address 10.93.0.${n}/32`,
    "!",
    "router ospf",
    ` ospf router-id 10.93.0.${n}`,
    " passive-interface eth3",
    ...peers.map((m) => ` network 10.91.${Math.min(n, m)}${Math.max(n, m)}.0/24 area 0.0.0.0`),
    ` network 10.92.${n}.0/24 area 0.0.0.0`,
    ` network 10.93.0.${n}/32 area 0.0.0.0`,
    " timers throttle spf 0 50 1000",
    "!",
    "line vty",
    "!",
  );
  return `${lines.join("\n")}\n`;
}

const CLAB = `name: frrtri
topology:
  nodes:
${[1, 2, 3]
  .map(
    (n) => `    router${n}:
      kind: linux
      image: frrouting/frr:v8.4.1
      binds:
        - router${n}/daemons:/etc/frr/daemons
        - router${n}/frr.conf:/etc/frr/frr.conf`,
  )
  .join("\n")}
${[1, 2, 3]
  .map(
    (n) => `    PC${n}:
      kind: linux
      image: wbitt/network-multitool:latest
      binds:
        - PC${n}/motd:/etc/motd:ro
      exec:
        - ip link set eth1 up
        - ip addr add 10.92.${n}.2/24 dev eth1
        - ip route add 10.91.0.0/16 via 10.92.${n}.1 dev eth1
        - ip route add 10.92.0.0/16 via 10.92.${n}.1 dev eth1
        - ip route add 10.93.0.0/24 via 10.92.${n}.1 dev eth1`,
  )
  .join("\n")}
  links:
    - endpoints: ["router1:eth1", "router2:eth1"]
    - endpoints: ["router1:eth2", "router3:eth1"]
    - endpoints: ["router2:eth2", "router3:eth2"]
    - endpoints: ["PC1:eth1", "router1:eth3"]
    - endpoints: ["PC2:eth1", "router2:eth3"]
    - endpoints: ["PC3:eth1", "router3:eth3"]
`;

/** Write the lab into `files`; returns the .clab.yml's path. */
export function writeFrrTriangle(files: ReturnType<typeof scratch>): string {
  for (const n of [1, 2, 3]) {
    mkdirSync(files.path(`router${n}`), { recursive: true });
    files.file(`router${n}/daemons`, DAEMONS);
    files.file(`router${n}/frr.conf`, frrConf(n));
    mkdirSync(files.path(`PC${n}`), { recursive: true });
    files.file(`PC${n}/motd`, `bound into PC${n}\n`);
  }
  return files.file("frrtri.clab.yml", CLAB);
}
