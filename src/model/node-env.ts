/**
 * Raw `files:`, `services:`, `privateRun`, `privateTmp` of one namespace node → its resolved
 * environment: absolute, normalised paths inside the node; sources as absolute host paths (relative
 * ones from the topology file's directory); modes and owners parsed; service argv, readiness and
 * restart policy checked. Every problem is reported with its place. References between services
 * (`after:`) are resolved once every node is known (service-order.ts). Pure.
 */
import { isAbsolute, posix, resolve as resolvePath } from "node:path";
import type { Problem, SourceLocation } from "../errors.js";
import type { RawFile, RawReady, RawService } from "../sources/nslab/env-schema.js";
import {
  DEFAULT_READY_TIMEOUT_MS,
  type FileOwner,
  type NodeFile,
  type Readiness,
  type Service,
} from "./env-types.js";
import { checkName, printable } from "./names.js";

/** The raw fields of a namespace node this module reads. */
export interface RawNodeEnv {
  files?: Record<string, RawFile>;
  services?: Record<string, RawService>;
  privateRun?: boolean;
  privateTmp?: boolean;
}

/** What resolving a node's environment needs from the resolver. */
export interface EnvContext {
  /** The node's name. */
  node: string;
  /** The place of a field path below the node (`["files", "/etc/x"]`); `key`: the key itself. */
  at(path: Array<string | number>, key?: boolean): SourceLocation;
  /** Relative sources are taken from here (the topology file's directory); undefined: refused. */
  baseDir: string | undefined;
  /** What a source is on the host; undefined: not looked at (checked when the lab is planned). */
  sourceKind?: ((path: string) => "file" | "dir" | "other" | "missing") | undefined;
  problems: Problem[];
}

/** The resolved environment fields of a NetnsNode (only those that differ from the defaults). */
export interface NodeEnv {
  files?: NodeFile[];
  services?: Service[];
  privateRun?: false;
  privateTmp?: true;
}

/** Where nothing of a node's own may go: the kernel's virtual file systems and the root itself. */
const VIRTUAL = ["/proc", "/sys", "/dev"];
const MAX_TIMEOUT_MS = 600_000;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ACCOUNT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/;

/** Resolve the environment fields of one namespace node. */
export function resolveNodeEnv(raw: RawNodeEnv, ctx: EnvContext): NodeEnv {
  const env: NodeEnv = {};
  if (raw.privateRun === false) env.privateRun = false;
  if (raw.privateTmp === true) env.privateTmp = true;
  const files: NodeFile[] = [];
  for (const [target, spec] of Object.entries(raw.files ?? {})) {
    const f = resolveFile(target, spec, ctx);
    if (f) files.push(f);
  }
  checkFileNesting(files, ctx);
  if (files.length > 0) env.files = files;
  const services: Service[] = [];
  for (const [name, spec] of Object.entries(raw.services ?? {})) {
    const s = resolveService(name, spec, ctx);
    if (s) services.push(s);
  }
  if (services.length > 0) env.services = services;
  return env;
}

/** Why `path` cannot be a path inside a node, or undefined when it can. */
export function nodePathProblem(path: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
  if (/[\u0000-\u001f\u007f]/.test(path)) return `path '${printable(path)}' contains a control character`;
  if (!path.startsWith("/")) return `path '${path}' is not absolute; write it as the node sees it, from /`;
  if (path === "/") return "the node's root directory itself cannot be replaced";
  const normal = posix.normalize(path);
  if (normal !== path || path.endsWith("/"))
    return `path '${path}' is not in its plain form; write '${normal.replace(/\/$/, "")}'`;
  if (VIRTUAL.some((v) => path === v || path.startsWith(`${v}/`)))
    return `path '${path}' is in ${path.split("/").slice(0, 2).join("/")}, a virtual file system of the kernel; nothing of a node's own can go there`;
  return undefined;
}

function resolveFile(target: string, spec: RawFile, ctx: EnvContext): NodeFile | undefined {
  const where = ctx.at(["files", target], true);
  const bad = nodePathProblem(target);
  if (bad) {
    ctx.problems.push({ message: `files: ${bad}`, location: where });
    return undefined;
  }
  const o = typeof spec === "string" ? { source: spec } : spec;
  const given = [o.source !== undefined, o.content !== undefined, o.directory === true].filter(
    Boolean,
  ).length;
  if (given !== 1) {
    ctx.problems.push({
      message: `files: '${target}' needs exactly one of source, content or directory (it has ${given})`,
      location: where,
      hint: "a file of the lab: source: ./file; inline text: content: '…'; an empty directory: directory: true",
    });
    return undefined;
  }
  const mode = o.mode === undefined ? undefined : parseMode(o.mode, ctx, ["files", target, "mode"]);
  const owner = o.owner === undefined ? undefined : parseOwner(o.owner, ctx, ["files", target, "owner"]);
  const extra = { ...(mode !== undefined ? { mode } : {}), ...(owner ? { owner } : {}), src: where };
  if (o.content !== undefined) return { kind: "file", path: target, from: { content: o.content }, ...extra };
  if (o.directory) return { kind: "dir", path: target, ...extra };
  const source = o.source as string;
  const srcAt = typeof spec === "string" ? ctx.at(["files", target]) : ctx.at(["files", target, "source"]);
  if (source === "" || source.includes("\u0000")) {
    ctx.problems.push({ message: `files: '${target}' has an empty source`, location: srcAt });
    return undefined;
  }
  let path: string;
  if (isAbsolute(source)) path = resolvePath(source);
  else if (ctx.baseDir !== undefined) path = resolvePath(ctx.baseDir, source);
  else {
    ctx.problems.push({
      message: `files: source '${source}' is relative, and this topology has no file to be relative to`,
      location: srcAt,
      hint: "give an absolute path, or load the topology from its file",
    });
    return undefined;
  }
  const kind = ctx.sourceKind?.(path);
  if (kind === "missing" || kind === "other") {
    ctx.problems.push({
      message: `files: source ${path} ${kind === "missing" ? "does not exist" : "is neither a file nor a directory"}`,
      location: srcAt,
      hint: "a relative source is taken from the topology file's directory",
    });
    return undefined;
  }
  if (kind === "dir") return { kind: "dir", path: target, from: { path }, ...extra, src: srcAt };
  return { kind: "file", path: target, from: { path }, ...extra, src: srcAt };
}

/** A file cannot have anything below it; one target cannot be given twice. */
function checkFileNesting(files: NodeFile[], ctx: EnvContext): void {
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const f of files) {
    for (let p = posix.dirname(f.path); p !== "/"; p = posix.dirname(p)) {
      const parent = byPath.get(p);
      if (parent?.kind === "file" && !("path" in parent.from))
        ctx.problems.push({
          message: `files: '${f.path}' is below '${p}', which is a file of this node`,
          location: f.src,
        });
    }
  }
}

/** Octal permission bits. */
export function parseMode(
  value: string | number,
  ctx: EnvContext,
  path: Array<string | number>,
): number | undefined {
  const text = typeof value === "number" ? value.toString(8) : value.trim().replace(/^0o/i, "");
  const n = /^[0-7]{1,4}$/.test(text) ? Number.parseInt(text, 8) : Number.NaN;
  if (Number.isNaN(n) || (typeof value === "number" && (value < 0 || value > 0o7777))) {
    ctx.problems.push({
      message: `mode '${value}' is not a permission mode; write it in octal, e.g. '0644' or '0750'`,
      location: ctx.at(path),
    });
    return undefined;
  }
  return n;
}

/** `user` or `user:group`, names or numbers. */
export function parseOwner(
  value: string,
  ctx: EnvContext,
  path: Array<string | number>,
): FileOwner | undefined {
  const [user, group, ...rest] = value.split(":");
  if (!user || rest.length > 0 || !ACCOUNT.test(user) || (group !== undefined && !ACCOUNT.test(group))) {
    ctx.problems.push({
      message: `owner '${printable(value)}' is not 'user' or 'user:group'`,
      location: ctx.at(path),
      hint: "use account names or numbers of this host, e.g. frr:frr or 0:0",
    });
    return undefined;
  }
  return { user, ...(group !== undefined ? { group } : {}) };
}

function resolveService(name: string, spec: RawService, ctx: EnvContext): Service | undefined {
  const base = ["services", name];
  const src = ctx.at(base, true);
  const nameProblem = checkName(name, "node");
  if (nameProblem) {
    ctx.problems.push({ message: nameProblem.replace("node name", "service name"), location: src });
    return undefined;
  }
  let ok = true;
  const fail = (message: string, location: SourceLocation, hint?: string) => {
    ctx.problems.push({ message, location, ...(hint ? { hint } : {}) });
    ok = false;
  };
  const cmdAt = ctx.at([...base, "command"]);
  spec.command.forEach((arg, i) => {
    if (arg.includes("\u0000")) fail(`service '${name}': argument ${i} contains a NUL byte`, cmdAt);
  });
  if (spec.command[0] === "")
    fail(`service '${name}': the program (the first word of command) is empty`, cmdAt);
  for (const [key, value] of Object.entries(spec.env ?? {})) {
    if (!ENV_NAME.test(key))
      fail(
        `service '${name}': '${printable(key)}' is not an environment variable name`,
        ctx.at([...base, "env", key], true),
      );
    if (value.includes("\u0000"))
      fail(`service '${name}': env ${key} contains a NUL byte`, ctx.at([...base, "env", key]));
  }
  if (spec.cwd !== undefined) {
    const bad = spec.cwd === "/" ? undefined : nodePathProblem(spec.cwd);
    if (bad) fail(`service '${name}': cwd: ${bad}`, ctx.at([...base, "cwd"]));
  }
  const ready = resolveReady(name, spec, ctx);
  if (!ready) ok = false;
  const restart = spec.restart ?? "no";
  if (spec.oneshot && restart !== "no")
    fail(
      `service '${name}' is a oneshot; it cannot also be restarted (restart: ${restart})`,
      ctx.at([...base, "restart"]),
    );
  if (!ok || !ready) return undefined;
  const after = spec.after ?? [];
  return {
    name,
    node: ctx.node,
    command: [...spec.command],
    ...(spec.env && Object.keys(spec.env).length > 0 ? { env: { ...spec.env } } : {}),
    ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
    ready,
    after: [...after],
    restart,
    ...(spec.oneshot ? { oneshot: true as const } : {}),
    src,
    at: {
      command: cmdAt,
      after: after.map((_, i) => ctx.at([...base, "after", i])),
      ...(spec.ready ? { ready: ctx.at([...base, "ready"]) } : {}),
    },
  };
}

function resolveReady(name: string, spec: RawService, ctx: EnvContext): Readiness | undefined {
  const r: RawReady = spec.ready ?? {};
  const at = ctx.at(["services", name, "ready"]);
  let timeoutMs = DEFAULT_READY_TIMEOUT_MS;
  if (r.timeout !== undefined) {
    const t = parseTimeout(r.timeout);
    if (typeof t === "string") {
      ctx.problems.push({
        message: `service '${name}': ${t}`,
        location: ctx.at(["services", name, "ready", "timeout"]),
      });
      return undefined;
    }
    timeoutMs = t;
  }
  const checks = (["tcp", "udp", "file", "command"] as const).filter((k) => r[k] !== undefined);
  if (checks.length > 1) {
    ctx.problems.push({
      message: `service '${name}': ready has ${checks.join(" and ")}; give one check`,
      location: at,
    });
    return undefined;
  }
  if (spec.oneshot && checks.length > 0) {
    ctx.problems.push({
      message: `service '${name}' is a oneshot: it is ready when it exits 0, so ready: ${checks[0]} does not apply`,
      location: at,
      hint: "keep only ready: { timeout: … }",
    });
    return undefined;
  }
  if (r.tcp !== undefined) return { kind: "tcp", port: r.tcp, timeoutMs };
  if (r.udp !== undefined) return { kind: "udp", port: r.udp, timeoutMs };
  if (r.file !== undefined) {
    const bad = nodePathProblem(r.file);
    if (bad) {
      ctx.problems.push({
        message: `service '${name}': ready file: ${bad}`,
        location: ctx.at(["services", name, "ready", "file"]),
      });
      return undefined;
    }
    return { kind: "file", path: r.file, timeoutMs };
  }
  if (r.command !== undefined) {
    if (r.command[0] === "" || r.command.some((a) => a.includes("\u0000"))) {
      ctx.problems.push({
        message: `service '${name}': the ready command is empty or holds a NUL byte`,
        location: ctx.at(["services", name, "ready", "command"]),
      });
      return undefined;
    }
    return { kind: "command", command: [...r.command], timeoutMs };
  }
  return { kind: "started", timeoutMs };
}

/** Milliseconds, or an error message: `10s`, `500ms`, `2m`; a bare number is seconds. */
export function parseTimeout(value: string | number): number | string {
  const text = String(value).trim().toLowerCase();
  const m = text.match(/^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/);
  if (!m) return `timeout '${value}' is not a duration; write e.g. 10s, 500ms or 2m`;
  const factor = m[2] === "ms" ? 1 : m[2] === "m" ? 60_000 : 1000;
  const ms = Math.round(Number(m[1]) * factor);
  if (ms <= 0) return `timeout '${value}' must be more than zero`;
  if (ms > MAX_TIMEOUT_MS) return `timeout '${value}' is longer than ${MAX_TIMEOUT_MS / 60_000} minutes`;
  return ms;
}
