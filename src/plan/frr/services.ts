/**
 * FRR in a router as the node environment runs it: the router's own directories and files (a fresh
 * /etc/frr holding the planned files, its own /run/frr for the daemons' sockets and pid files, its
 * own /var/tmp/frr where FRR keeps crash records — none of them the host's) and one supervised
 * service per daemon, each started once the daemon before it is ready (its socket exists), then,
 * for a user's frr.conf, a one-shot `vtysh -b` that loads it. The shapes are those of a node's
 * `files` and `services` (model/env-types), kept here structurally so this module stands alone.
 * Pure.
 */
import type { SourceLocation } from "../../errors.js";
import { fnv1a32 } from "../../util/hash.js";
import type { FrrRouterPlan } from "./routers.js";

/** FRR's account on Debian and its derivatives (the daemons drop to it; its files belong to it). */
export const FRR_OWNER = { user: "frr", group: "frr" } as const;

/** How long a daemon has to open its socket (zebra on a loaded 2-core host: well under a second). */
export const DAEMON_READY_MS = 30_000;

/** A directory or file only the router sees. */
export type FrrNodeFile =
  | {
      kind: "dir";
      path: string;
      mode: number;
      owner: { user: string; group: string };
      src?: SourceLocation;
    }
  | {
      kind: "file";
      path: string;
      from: { content: string };
      mode: number;
      owner: { user: string; group: string };
      src?: SourceLocation;
    };

/** A daemon (or the configuration's loading) as a service of the router. */
export interface FrrService {
  name: string;
  node: string;
  command: string[];
  ready: { kind: "file"; path: string; timeoutMs: number } | { kind: "started"; timeoutMs: number };
  after: string[];
  restart: "no" | "on-failure";
  oneshot?: true;
  env: Record<string, string>;
  src?: SourceLocation;
}

/**
 * The variable each of a router's FRR services carries a digest of the router's configuration files
 * in: the daemons read their files when they start, so a service's definition changes with them,
 * and an `up` of an edited file restarts that router's FRR in place (its other routers' stay).
 */
export const CONFIG_DIGEST_ENV = "NSLAB_FRR_CONFIG";

/** The name of the service that loads a user's frr.conf. */
export const LOAD_SERVICE = "frr-load";

/** The directories, files and services of one router's FRR. */
export function frrNodeEnv(
  r: FrrRouterPlan,
  src?: SourceLocation,
): { files: FrrNodeFile[]; services: FrrService[] } {
  const at = src ? { src } : {};
  const files: FrrNodeFile[] = [
    { kind: "dir", path: "/etc/frr", mode: 0o750, owner: { ...FRR_OWNER }, ...at },
    { kind: "dir", path: "/run/frr", mode: 0o755, owner: { ...FRR_OWNER }, ...at },
    { kind: "dir", path: "/var/tmp/frr", mode: 0o700, owner: { ...FRR_OWNER }, ...at },
    ...r.files.map(
      (f): FrrNodeFile => ({
        kind: "file",
        path: `/etc/frr/${f.name}`,
        from: { content: f.content },
        mode: 0o640,
        owner: { ...FRR_OWNER },
        ...at,
      }),
    ),
  ];
  const id = (name: string) => `${r.node}/${name}`;
  const env = {
    [CONFIG_DIGEST_ENV]: fnv1a32(r.files.map((f) => `${f.name}\0${f.content}`).join("\0"))
      .toString(16)
      .padStart(8, "0"),
  };
  const services: FrrService[] = r.daemons.map((d) => ({
    name: d.name,
    node: r.node,
    command: d.argv,
    ready: { kind: "file", path: d.readyFile, timeoutMs: DAEMON_READY_MS },
    after: d.after ? [id(d.after)] : [],
    restart: "on-failure",
    env,
    ...at,
  }));
  if (r.load)
    services.push({
      name: LOAD_SERVICE,
      node: r.node,
      command: r.load,
      ready: { kind: "started", timeoutMs: DAEMON_READY_MS },
      after: r.daemons.map((d) => id(d.name)),
      restart: "no",
      oneshot: true,
      env,
      ...at,
    });
  return { files, services };
}
