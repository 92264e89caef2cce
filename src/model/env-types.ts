/**
 * A namespace node's own environment, resolved: the files and directories only it sees, and the
 * services nslab runs in it. Written by `files:`/`services:` in a topology file, and by features
 * that build on them (FRR routers add their /etc/frr, /run/frr and daemons the same way): append
 * `NodeFile`s and `Service`s to a `NetnsNode` before planning, and the rest follows.
 */
import type { SourceLocation } from "../errors.js";

/** Where a file's bytes come from: a file (or directory) of the lab on the host, or inline text. */
export type FileOrigin =
  /** Absolute path on the host; copied into the lab's private file system at `up`. */
  | { path: string }
  /** The content itself (UTF-8). */
  | { content: string };

/** Owner of a node file on the host's accounts (the node shares /etc/passwd with the host). */
export interface FileOwner {
  /** User name or number. */
  user: string;
  /** Group name or number; default: the user's primary group. */
  group?: string;
}

/** A file or directory that only one node sees (the host's file system is never changed). */
export type NodeFile =
  | {
      kind: "file";
      /** Absolute, normalised path inside the node. */
      path: string;
      from: FileOrigin;
      /** Permission bits (default 0o644). */
      mode?: number;
      owner?: FileOwner;
      src?: SourceLocation;
    }
  | {
      kind: "dir";
      /** Absolute, normalised path inside the node. */
      path: string;
      /**
       * A directory of the lab copied in (its tree), or, absent, an empty directory. Either way it
       * replaces what the host has at `path` in the node's view; node files below `path` go into it.
       */
      from?: { path: string };
      /** Permission bits of the directory itself (default 0o755). */
      mode?: number;
      owner?: FileOwner;
      src?: SourceLocation;
    };

/** When a service counts as ready. */
export type Readiness =
  /** A TCP socket listens on this port in the node's network namespace. */
  | { kind: "tcp"; port: number; timeoutMs: number }
  /** A UDP socket is bound to this port in the node's network namespace. */
  | { kind: "udp"; port: number; timeoutMs: number }
  /** This path exists in the node's view (a socket, a pid file). */
  | { kind: "file"; path: string; timeoutMs: number }
  /** This command, run in the node (no shell), exits 0. */
  | { kind: "command"; command: string[]; timeoutMs: number }
  /** Running (no check): ready once started; a oneshot is ready when it exited 0. */
  | { kind: "started"; timeoutMs: number };

/** How a service is restarted when it exits. */
export type RestartPolicy = "no" | "on-failure" | "always";

/** A program nslab runs in a namespace node from `up` to `down`, under the lab's supervisor. */
export interface Service {
  /** Its name within the node. */
  name: string;
  /** The node it runs in. */
  node: string;
  /** argv: the program (looked up in the host's system PATH, or an absolute path) and its arguments. */
  command: string[];
  /** Added to its (otherwise fixed: PATH, LANG) environment. */
  env?: Record<string, string>;
  /** Working directory inside the node (default /). */
  cwd?: string;
  ready: Readiness;
  /** Services that must be ready before this one starts, as `node/service` ids. */
  after: string[];
  restart: RestartPolicy;
  /** Runs to completion: ready when it exits 0; any other exit fails `up`. Never restarted. */
  oneshot?: true;
  src?: SourceLocation;
  /** Where its fields were written (for precise errors). */
  at?: { command?: SourceLocation; after?: SourceLocation[]; ready?: SourceLocation };
}

/** The default time a service has to become ready. */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;

/** `node/service`: how a service is named across the lab (status, logs, errors). */
export function serviceId(s: { node: string; name: string }): string {
  return `${s.node}/${s.name}`;
}
