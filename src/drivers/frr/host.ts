/**
 * The host's FRR: where its daemons are, which of them are installed, its version and `vtysh`.
 * Labs with FRR routers run this installation inside each router (nothing of it is started on the
 * host, and its /etc/frr is never read by a router).
 */
import { existsSync } from "node:fs";
import { FRR_DAEMON_NAMES } from "../../model/frr.js";
import type { FrrHost } from "../../plan/frr/routers.js";
import { findBinary, type Runner, systemRunner } from "../runner/index.js";

/** Where distributions put FRR's daemons (Debian and Ubuntu; Fedora and others). */
const DIRS = ["/usr/lib/frr", "/usr/libexec/frr"];

let cached: Promise<FrrHost | undefined> | undefined;

/** The host's FRR, or undefined when it is not installed (read once per process). */
export function probeFrr(runner: Runner = systemRunner): Promise<FrrHost | undefined> {
  cached ??= probe(runner);
  return cached;
}

async function probe(runner: Runner): Promise<FrrHost | undefined> {
  const dir = DIRS.find((d) => existsSync(`${d}/zebra`));
  const vtysh = findBinary("vtysh");
  if (!dir || !vtysh) return undefined;
  const daemons = FRR_DAEMON_NAMES.filter((d) => existsSync(`${dir}/${d}`));
  const r = await runner.run([`${dir}/zebra`, "--version"], { allowFailure: true, timeoutMs: 10_000 });
  const version = /version (\S+)/.exec(r.stdout)?.[1];
  return { dir, vtysh, daemons, ...(version ? { version } : {}) };
}
