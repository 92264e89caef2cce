/**
 * `capture`: tcpdump on one end of a link of a running lab, inside its namespace (bridge ports are
 * captured in the root namespace, where they live). Prints packets, or writes a pcap file; stops after
 * `count` packets, after `timeoutSeconds` (stopped by its PID), or on Ctrl-C at the terminal.
 */
import type { ChildProcess } from "node:child_process";
import { resolve as resolvePath } from "node:path";
import { inNode } from "../drivers/in-node.js";
import { systemRunner } from "../drivers/runner/index.js";
import type { CommonOptions } from "../engine/options.js";
import { NslabError } from "../errors.js";
import { resolveEndpoint } from "./endpoints.js";

export interface CaptureOptions extends CommonOptions {
  /** Write packets to this pcap file instead of printing them. */
  file?: string;
  /** Stop after this many packets. */
  count?: number;
  /** Stop after this many seconds. */
  timeoutSeconds?: number;
  /** A tcpdump filter expression, as words (e.g. ["icmp"]). */
  filter?: readonly string[];
  /** Share the terminal (tcpdump prints live; Ctrl-C stops it) instead of capturing its output. */
  interactive?: boolean;
}

/** What a capture did. */
export interface CaptureResult {
  exitCode: number;
  /** Packets tcpdump says it captured (when it said). */
  packets?: number;
  /** The pcap file written (absolute path). */
  file?: string;
  /** Printed packets (non-interactive, without a file). */
  output: string;
  /** Stopped by the timeout rather than by the count. */
  timedOut: boolean;
}

/** The tcpdump argv for a capture (exported for tests and `--verbose` readers). */
export function tcpdumpArgv(ns: string | null, dev: string, options: CaptureOptions): string[] {
  if (options.count !== undefined && !(Number.isInteger(options.count) && options.count > 0))
    throw new NslabError("E_USAGE", `--count must be a positive integer, not ${options.count}`);
  const tcpdump = [
    "tcpdump",
    "-i",
    dev,
    "-n",
    ...(options.count !== undefined ? ["-c", String(options.count)] : []),
    // -U: write each packet at once (a stopped capture keeps what it saw); -Z root: keep the
    // privileges to write where the user asked (Debian's tcpdump otherwise drops to 'tcpdump').
    ...(options.file ? ["-w", resolvePath(options.file), "-U", "-Z", "root"] : ["-l"]),
    ...(options.filter && options.filter.length > 0 ? ["--", ...options.filter] : []),
  ];
  return ns === null ? tcpdump : inNode(ns, tcpdump);
}

/** Capture on `endpoint` (node:interface) of lab `lab`. */
export async function captureOn(
  lab: string,
  endpoint: string,
  options: CaptureOptions = {},
): Promise<CaptureResult> {
  const ep = resolveEndpoint(lab, endpoint);
  const argv = tcpdumpArgv(ep.ns, ep.dev, options);
  const runner = options.runner ?? systemRunner;
  const child: ChildProcess = runner.start(argv, options.interactive ? { stdio: "inherit" } : {});
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  let timedOut = false;
  const timer =
    options.timeoutSeconds !== undefined
      ? setTimeout(() => {
          timedOut = true;
          child.kill("SIGINT"); // tcpdump flushes and prints its counts on SIGINT
        }, options.timeoutSeconds * 1000)
      : undefined;
  const onAbort = () => child.kill("SIGINT");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  // In the terminal, Ctrl-C reaches tcpdump (same process group); nslab just waits for it.
  const ignore = () => {};
  if (options.interactive) process.on("SIGINT", ignore);
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code, signal) => resolve(code ?? (signal === "SIGINT" ? 0 : 1)));
    });
    const m = err.match(/(\d+) packets? captured/);
    if (exitCode !== 0 && !timedOut)
      throw new NslabError(
        "E_COMMAND",
        `tcpdump on ${endpoint} failed (exit ${exitCode}): ${err.trim().split("\n").pop() ?? ""}`,
      );
    return {
      exitCode: timedOut ? 0 : exitCode,
      ...(m ? { packets: Number(m[1]) } : {}),
      ...(options.file ? { file: resolvePath(options.file) } : {}),
      output: out,
      timedOut,
    };
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    if (options.interactive) process.off("SIGINT", ignore);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  }
}
