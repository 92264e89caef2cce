// One stress worker (a process of its own, run by bench/stress.mjs): until the deadline, brings its
// own lab up through the CLI, pings it (`nslab ping`), takes it down; one JSON line per step on
// stdout. Someone else's `down --all` may take the lab down between `up` and `ping` (then ping
// fails and the lab is gone, or being destroyed: "preempted", not a failure) or hold its lock for a moment (then `up` is
// refused as busy and `down` waits: "busy", retried). Anything else that fails is a failure.
//   node bench/stress/worker.mjs --file F --name N --prefix P --until EPOCH_MS
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CLI, run, sleep } from "../lib.mjs";
import { STATE_DIR } from "../soak/metrics.mjs";

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) throw new Error(`missing --${name}`);
  return args[i + 1];
};
const file = opt("file");
const name = opt("name");
const prefix = opt("prefix");
const until = Number(opt("until"));

const emit = (o) => process.stdout.write(`${JSON.stringify({ t: Date.now(), lab: name, ...o })}\n`);
const nslab = (...a) => run(["node", CLI, ...a], { timeoutMs: 300_000 });
/** Refused because another nslab process (down --all) holds this lab's lock right now. */
const busy = (r) => r.code !== 0 && /is busy: process \d+ \(nslab down/.test(r.stderr);
const recorded = () => existsSync(join(STATE_DIR, "labs", `${name}.json`));

let cycle = 0;
while (Date.now() < until) {
  cycle++;
  const t0 = performance.now();
  const u = await nslab("up", file, "--name", name, "--prefix", prefix);
  if (u.code !== 0) {
    if (busy(u)) {
      emit({ cycle, step: "up", outcome: "busy", stderr: u.stderr.trim().slice(0, 300) });
      await sleep(50);
      continue;
    }
    emit({ cycle, step: "up", outcome: "failed", code: u.code, stderr: u.stderr.trim().slice(0, 3000) });
    await nslab("down", name);
    continue;
  }
  const p = await nslab("ping", name);
  if (p.code !== 0) {
    // Gone or going meanwhile (a down --all took it): not this lab's fault; else a real failure.
    const gone = !recorded() || /is destroying, not up|while it was pinged/.test(p.stderr);
    emit({
      cycle,
      step: "ping",
      outcome: gone ? "preempted" : "failed",
      code: p.code,
      stderr: p.stderr.trim().slice(0, 3000),
      stdout: p.stdout.trim().slice(-1500),
    });
  }
  let d;
  for (let attempt = 0; ; attempt++) {
    d = await nslab("down", name);
    if (!busy(d) || attempt >= 100) break;
    await sleep(50); // a down --all is taking it down right now
  }
  if (d.code !== 0)
    emit({ cycle, step: "down", outcome: "failed", code: d.code, stderr: d.stderr.trim().slice(0, 3000) });
  else if (recorded())
    emit({ cycle, step: "down", outcome: "failed", stderr: "the lab's record is still there after down" });
  emit({
    cycle,
    step: "cycle",
    outcome: "done",
    ms: Math.round(performance.now() - t0),
    pinged: p.code === 0,
  });
}
