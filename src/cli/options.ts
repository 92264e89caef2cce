/**
 * Options several commands share, each defined once: the topology of a command that takes a file
 * or a generated one (`--topo`, `--switch`, `--ipv6`), and the names a lab gets (`--name`,
 * `--prefix`). The global `-v`/`-q` are on the program (main.ts).
 */
import { Option } from "@commander-js/extra-typings";

/** `--topo SPEC`: a Mininet-style generated topology instead of a file. */
export const topoOption = () =>
  new Option(
    "--topo <spec>",
    "a generated topology, as Mininet's --topo: single,K | linear,K[,N] | tree,D,F (tree,depth=D,fanout=F) | torus,X,Y",
  );

/** `--switch KIND` (with --topo). */
export const switchOption = () =>
  new Option(
    "--switch <kind>",
    "with --topo: bridge (Linux bridge, Mininet's lxbr; default) or ovs (Open vSwitch)",
  );

/** `--ipv6` (with --topo). */
export const ipv6Option = () =>
  new Option("--ipv6", "with --topo: keep IPv6 link-local on the hosts (default: IPv4-only hosts)");

/** `--name LAB`. */
export const nameOption = () =>
  new Option("--name <lab>", "the lab name, instead of the file's (or the one derived from --topo)");

/** `--prefix PREFIX`. */
export const prefixOption = () =>
  new Option(
    "--prefix <prefix>",
    "prefix of namespace and root-namespace interface names (run copies side by side)",
  );
