/**
 * The node-environment operations (the lab's file system, node files, kept mount namespaces,
 * /etc/netns entries) as the classic commands that do the same — for `nslab plan` to print. The
 * driver carries these operations itself (drivers/apply/nodefs-channel.ts), never by these lines.
 */
import { formatArgv, shellQuote } from "../util/quote.js";
import type { NodeMount, Op, OpOf } from "./ops.js";

type EnvOp = OpOf<
  | "labfs.mount"
  | "labfs.umount"
  | "nodefs.dir"
  | "nodefs.file"
  | "nodefs.tree"
  | "mntns.add"
  | "mntns.del"
  | "etcnetns.add"
  | "etcnetns.del"
>;

/** The tools these commands use. */
export type EnvTool =
  | "mkdir"
  | "mount"
  | "umount"
  | "rmdir"
  | "rm"
  | "install"
  | "sh"
  | "chmod"
  | "chown"
  | "cp"
  | "nsenter"
  | "touch"
  | "ln";

/** One command (always in the root namespace). */
export interface EnvCommand {
  tool: EnvTool;
  ns: null;
  args: string[];
}

const run = (tool: EnvTool, ...args: string[]): EnvCommand => ({ tool, ns: null, args });
const octal = (mode: number) => mode.toString(8).padStart(4, "0");

/** Whether `op` is one of the node-environment operations. */
export function isNodeEnvOp(op: Op): op is EnvOp {
  return /^(labfs|nodefs|mntns|etcnetns)\./.test(op.op);
}

/** The commands equivalent to a node-environment operation. */
export function nodeEnvCommands(op: EnvOp): EnvCommand[] {
  const chown = (path: string, o: { owner?: { user: string; group?: string } }, flags: string[] = []) =>
    o.owner
      ? [
          run(
            "chown",
            ...flags,
            `${o.owner.user}${o.owner.group !== undefined ? `:${o.owner.group}` : ""}`,
            path,
          ),
        ]
      : [];
  switch (op.op) {
    case "labfs.mount":
      return [
        run("mkdir", "-p", op.path),
        run("mount", "-t", "tmpfs", "-o", "mode=700,size=10%", op.name, op.path),
        run("mount", "--make-private", op.path),
      ];
    case "labfs.umount":
      return [run("umount", "--lazy", op.path), run("rmdir", op.path)];
    case "nodefs.dir":
      return [run("mkdir", "-p", "-m", octal(op.mode), op.path), ...chown(op.path, op)];
    case "nodefs.file": {
      const copy =
        "path" in op.from
          ? run("install", "-m", octal(op.mode), op.from.path, op.path)
          : run("sh", "-c", `printf '%s' ${shellQuote(op.from.content)} >${shellQuote(op.path)}`);
      const mode = "path" in op.from ? [] : [run("chmod", octal(op.mode), op.path)];
      return [copy, ...mode, ...chown(op.path, op)];
    }
    case "nodefs.tree":
      return [run("cp", "-a", `${op.from}/.`, op.path), ...chown(op.path, op, ["-R"])];
    case "mntns.add":
      // unshare keeps the namespace by a bind onto a file that must exist.
      return [
        run("touch", op.file),
        run(
          "nsenter",
          `--net=/run/netns/${op.ns}`,
          "unshare",
          `--mount=${op.file}`,
          "--propagation",
          "slave",
          "sh",
          "-e",
          "-c",
          ["umount -l /run/netns", ...op.mounts.map(mountLine)].join("; "),
        ),
      ];
    case "mntns.del":
      return [run("umount", "--lazy", op.file), run("rm", "-f", op.file)];
    case "etcnetns.add":
      return [
        run("mkdir", "-p", `/etc/netns/${op.ns}`),
        run("ln", "-s", op.hosts, `/etc/netns/${op.ns}/hosts`),
      ];
    case "etcnetns.del":
      return [run("rm", "-f", `/etc/netns/${op.ns}/hosts`), run("rmdir", `/etc/netns/${op.ns}`)];
  }
}

function mountLine(m: NodeMount): string {
  if (m.kind === "sysfs") return "umount -l /sys; mount -t sysfs sysfs /sys";
  if (m.kind === "bind") return formatArgv(["mount", "--bind", m.from, m.to]);
  return formatArgv([
    "mount",
    "-t",
    "overlay",
    "overlay",
    "-o",
    `lowerdir=${m.dir},upperdir=${m.upper},workdir=${m.work}`,
    m.dir,
  ]);
}
