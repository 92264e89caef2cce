/**
 * The two probes checks are made of, run from inside a namespace: an ICMP echo (`ping`) and a TCP
 * connection (a tiny Node client). TCP needs something listening: `startListener` starts a short-lived
 * listener inside the target namespace (one process, found again by its PID, never by name), which
 * accepts and closes connections until it is stopped, its parent goes away, or its lifetime ends.
 */
import type { ChildProcess } from "node:child_process";
import { inNode } from "../drivers/in-node.js";
import type { Runner } from "../drivers/runner/index.js";

/** What one probe found. */
export interface ProbeResult {
  ok: boolean;
  /** Round-trip time (ICMP) or connect time (TCP), in ms. */
  ms?: number;
  /** Why it failed, in the tool's words. */
  error?: string;
}

/**
 * Ping `address` from namespace `ns`: one echo request a second until one is answered or
 * `deadlineSeconds` pass (the first echo may wait on neighbour discovery, and right after `up` an
 * IPv6 link-local address may still be tentative for a second or two). A failed address resolution
 * ("Destination Host Unreachable") is not the last word while time is left: right after a link
 * comes back up, a resolution its fault left unfinished fails the first echo, and the next resolves.
 */
export async function pingProbe(
  runner: Runner,
  ns: string,
  address: string,
  options: { family: 4 | 6; iface?: string; deadlineSeconds?: number },
): Promise<ProbeResult> {
  const deadline = Math.max(1, Math.round(options.deadlineSeconds ?? 3));
  const until = performance.now() + deadline * 1000;
  for (;;) {
    const left = Math.max(1, Math.round((until - performance.now()) / 1000));
    const res = await runner.run(
      inNode(ns, [
        "ping",
        options.family === 6 ? "-6" : "-4",
        "-n",
        "-c",
        "1",
        "-w",
        String(left),
        ...(options.iface ? ["-I", options.iface] : []),
        address,
      ]),
      { allowFailure: true, timeoutMs: (left + 10) * 1000 },
    );
    if (res.exitCode === 0) {
      const m = res.stdout.match(/time=([\d.]+) ms/);
      return { ok: true, ...(m ? { ms: Number(m[1]) } : {}) };
    }
    if (
      /Destination Host Unreachable|Address unreachable/.test(res.stdout) &&
      until - performance.now() > RETRY_MIN_MS
    ) {
      await sleep(RETRY_PAUSE_MS);
      continue;
    }
    const error = (
      res.stderr.trim().split("\n")[0] ||
      res.stdout
        .split("\n")
        .find((l) => /unreachable|prohibited/i.test(l))
        ?.replace(/^From \S+ icmp_seq=\d+ /, "")
        .trim() ||
      (/ 0 received/.test(res.stdout) ? `no answer within ${deadline} s` : "") ||
      `ping exited with ${res.exitCode}`
    ).trim();
    return { ok: false, error: error.replace(/^ping: (connect: )?/, "") };
  }
}

/** Time a probe must have left to try again after a failed address resolution, and the pause before. */
const RETRY_MIN_MS = 400;
const RETRY_PAUSE_MS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A connect() from inside the namespace; exits 0 when connected, 1 with the error code otherwise. */
const CONNECT = `const [h,p,t,l]=process.argv.slice(1);const s0=Date.now();
const s=require("net").connect({host:h,port:+p,timeout:+t,...(l?{localAddress:l}:{})},()=>{process.stdout.write(String(Date.now()-s0));s.destroy();process.exit(0)});
s.on("timeout",()=>{process.stderr.write("no answer within "+t+" ms");process.exit(1)});
s.on("error",e=>{process.stderr.write(e.code||e.message);process.exit(1)});`;

/** Open a TCP connection to `address`:`port` from namespace `ns` (tried again after EHOSTUNREACH while time is left). */
export async function tcpProbe(
  runner: Runner,
  ns: string,
  address: string,
  port: number,
  options: { timeoutMs?: number; localAddress?: string } = {},
): Promise<ProbeResult> {
  const timeout = options.timeoutMs ?? 2000;
  const until = performance.now() + timeout;
  for (;;) {
    const left = Math.max(100, Math.round(until - performance.now()));
    const res = await runner.run(
      inNode(ns, [
        process.execPath,
        "-e",
        CONNECT,
        address,
        String(port),
        String(left),
        ...(options.localAddress ? [options.localAddress] : []),
      ]),
      { allowFailure: true, timeoutMs: left + 10_000 },
    );
    if (res.exitCode === 0) return { ok: true, ms: Number(res.stdout.trim()) || 0 };
    const error = res.stderr.trim() || `exit ${res.exitCode}`;
    // A failed address resolution, as for pingProbe: tried again while time is left.
    if (error === "EHOSTUNREACH" && until - performance.now() > RETRY_MIN_MS) {
      await sleep(RETRY_PAUSE_MS);
      continue;
    }
    return { ok: false, error };
  }
}

/**
 * Accepts and closes TCP connections on every address (IPv6 socket that also takes IPv4) until its
 * stdin closes (nslab went away) or its lifetime ends. A port already in use is fine: something
 * listens there already, which is all a check needs.
 */
const LISTENER = `const net=require("net");const [p,life]=process.argv.slice(1);
const s=net.createServer(c=>{c.on("error",()=>{});c.end()});
let v4=false;s.on("error",e=>{if(e.code==="EADDRINUSE"){process.stdout.write("inuse\\n");return}
if(!v4&&(e.code==="EAFNOSUPPORT"||e.code==="EADDRNOTAVAIL")){v4=true;s.listen({port:+p,host:"0.0.0.0"});return}
process.stdout.write("error "+(e.code||e.message)+"\\n");process.exit(1)});
s.listen({port:+p,host:"::",ipv6Only:false},()=>process.stdout.write("ready\\n"));
process.stdin.on("end",()=>process.exit(0));process.stdin.on("error",()=>process.exit(0));process.stdin.resume();
setTimeout(()=>process.exit(0),+life);`;

/** A listener started by `startListener`. */
export interface Listener {
  ns: string;
  port: number;
  pid: number | undefined;
  /** `listening`: ours; `in-use`: the port was taken by something already listening there. */
  state: "listening" | "in-use";
  stop(): Promise<void>;
}

/** Start a TCP listener on `port` inside `ns` and wait until it listens. */
export async function startListener(
  runner: Runner,
  ns: string,
  port: number,
  options: { lifetimeMs?: number; readyTimeoutMs?: number } = {},
): Promise<Listener> {
  const child: ChildProcess = runner.start(
    inNode(ns, [process.execPath, "-e", LISTENER, String(port), String(options.lifetimeMs ?? 300_000)]),
  );
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("close", () => resolve());
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      child.kill("SIGTERM");
    }
    await exited;
  };
  try {
    const state = await new Promise<"listening" | "in-use">((resolve, reject) => {
      let out = "";
      let err = "";
      const timer = setTimeout(
        () => reject(new Error(`the TCP listener in ${ns} did not start within a few seconds`)),
        options.readyTimeoutMs ?? 10_000,
      );
      child.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("ready\n") || out.includes("inuse\n")) {
          clearTimeout(timer);
          resolve(out.includes("ready\n") ? "listening" : "in-use");
        } else if (/error .*\n/.test(out)) {
          clearTimeout(timer);
          reject(new Error(`the TCP listener in ${ns} failed: ${out.trim()}`));
        }
      });
      child.stderr?.on("data", (d: Buffer) => {
        err += d.toString();
      });
      child.once("close", (code) => {
        clearTimeout(timer);
        reject(new Error(`the TCP listener in ${ns} exited (${code}): ${(err || out).trim()}`));
      });
      child.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    return { ns, port, pid: child.pid, state, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
