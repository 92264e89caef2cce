/**
 * `up` interrupted (SIGINT, SIGTERM) rolls back and exits 130; `up` killed with SIGKILL at various
 * points (in the middle of writing a state file too) leaves a record and marked objects from which
 * `down` removes everything the lab created and nothing else — and leaves /run/nslab exactly as it
 * was before `up`; a failed rollback marks the lab dirty and says which command finishes it.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  canTouchKernel,
  mustRun,
  nslab,
  ovsDaemons,
  type RunningCli,
  scopedSnapshot,
  startNslab,
  stateEntries,
  uniqueTag,
} from "../../support/kernel.js";

/** A lab with 40 namespaces on a Linux bridge and 4 on an OVS bridge, under a unique prefix. */
function writeLab(name: string): string {
  const hosts = Array.from({ length: 40 }, (_, i) => `  h${i}: {interfaces: {e0: 10.30.0.${i + 1}/24}}`);
  const ovsHosts = Array.from({ length: 4 }, (_, i) => `  o${i}: {interfaces: {e0: 10.31.0.${i + 1}/24}}`);
  const links = [
    ...Array.from({ length: 40 }, (_, i) => `  - [h${i}:e0, br:p${i}]`),
    ...Array.from({ length: 4 }, (_, i) => `  - [o${i}:e0, sw:q${i}]`),
  ];
  const file = join(tmpdir(), `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}\nnodes:\n  br: {kind: bridge}\n  sw: {kind: ovs-bridge}\n${hosts.join("\n")}\n${ovsHosts.join("\n")}\nlinks:\n${links.join("\n")}\n`,
  );
  return file;
}

/**
 * Where operations of kind `op` sit in `file`'s plan (1-based, as the fault hooks count): the
 * points below follow the plan's phases (the nodes' files, the namespaces, their mount namespaces,
 * the links), wherever a change of the plan's order moves them.
 */
function planned(file: string, prefix: string): (op: string) => { first: number; last: number } {
  const { operations } = JSON.parse(nslab(["plan", file, "--prefix", prefix, "--json"]).stdout) as {
    operations: { n: number; op: string }[];
  };
  return (op) => {
    const ns = operations.filter((o) => o.op === op).map((o) => o.n);
    if (ns.length === 0) throw new Error(`the plan has no ${op}`);
    return { first: ns[0]!, last: ns.at(-1)! };
  };
}
/** The plan of the labs writeLab makes (the same operations whatever the name). */
const phases = planned(writeLab(`probe-${uniqueTag().slice(1, 5)}`), "p0-");

const labs: string[] = [];
const clis: RunningCli[] = [];
/** startNslab, remembered: a test that fails while its `up` still runs must not leave it running. */
function start(args: string[], env: Record<string, string>): RunningCli {
  const cli = startNslab(args, env);
  clis.push(cli);
  return cli;
}
afterAll(async () => {
  // An up still running (its test failed waiting for it) would finish after our down: end it first.
  for (const cli of clis)
    if (cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill("SIGKILL");
      await cli.exited;
    }
  for (const lab of labs) nslab(["down", lab]);
});

describe.skipIf(!canTouchKernel && !mustRun)("interrupts, crashes and failed rollbacks", () => {
  for (const [signal, at] of [
    ["SIGINT", phases("netns.add").first], // the nodes' files written, no namespace yet
    ["SIGTERM", phases("mntns.add").first + 5], // amid the mount namespaces
  ] as const) {
    it(`${signal} during up rolls back and exits 130`, async () => {
      const tag = uniqueTag().slice(1, 5);
      const name = `int-${tag}`;
      const prefix = `i${tag}-`;
      labs.push(name);
      const file = writeLab(name);
      const before = scopedSnapshot(prefix, name);
      const stateBefore = stateEntries((lab) => lab === name);
      const cli = start(["up", file, "--prefix", prefix], { NSLAB_TEST_FAULTS: `pause-op=${at}` });
      await cli.waitFor(`paused before operation ${at}`);
      expect(scopedSnapshot(prefix, name)).not.toEqual(before); // it had created things
      cli.child.kill(signal);
      const r = await cli.exited;
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toMatch(new RegExp(`${signal}: stopping and undoing what this run created`));
      expect(r.stderr).toMatch(/interrupted: lab '.*' was not brought up/);
      expect(scopedSnapshot(prefix, name)).toEqual(before);
      expect(stateEntries((lab) => lab === name)).toEqual(stateBefore);
    });
  }

  it("SIGKILL at several points: down removes everything the lab created", async () => {
    const ns = phases("netns.add");
    const files = phases("nodefs.dir");
    for (const at of [
      2, // the lab's file system mounted
      Math.round((files.first + files.last) / 2), // amid the nodes' trees
      ns.first + 1, // the first namespace made
      ns.last, // all but the last
      phases("mntns.add").last, // the mount namespaces
      phases("veth.add").first + 5, // the links
    ]) {
      const tag = uniqueTag().slice(1, 5);
      const name = `kill-${tag}`;
      const prefix = `k${tag}-`;
      labs.push(name);
      const file = writeLab(name);
      const before = scopedSnapshot(prefix, name);
      const stateBefore = stateEntries((lab) => lab === name);
      const cli = start(["up", file, "--prefix", prefix], { NSLAB_TEST_FAULTS: `pause-op=${at}` });
      await cli.waitFor(`paused before operation ${at}`);
      cli.child.kill("SIGKILL");
      await cli.exited;
      const down = nslab(["down", name]);
      expect(down.code, down.stderr).toBe(0);
      expect(down.stderr).toMatch(/reclaimed the lock/);
      expect(scopedSnapshot(prefix, name), `killed before operation ${at}`).toEqual(before);
      expect(
        stateEntries((lab) => lab === name),
        `killed before operation ${at}: /run/nslab`,
      ).toEqual(stateBefore);
    }
  });

  it("SIGKILL between starting Open vSwitch and recording it: down stops the daemons nslab started", async () => {
    const tag = uniqueTag().slice(1, 5);
    const name = `okill-${tag}`;
    const prefix = `q${tag}-`;
    labs.push(name);
    const file = writeLab(name);
    const before = scopedSnapshot(prefix, name);
    const stateBefore = stateEntries((lab) => lab === name);
    const daemonsBefore = ovsDaemons();
    const cli = start(["up", file, "--prefix", prefix], { NSLAB_TEST_FAULTS: "pause=ovs-started" });
    if (daemonsBefore.length === 2) {
      // OVS runs already (someone's, or a packaged service): nslab starts nothing and up completes.
      expect((await cli.exited).code).toBe(0);
    } else {
      await cli.waitFor("paused after starting Open vSwitch");
      cli.child.kill("SIGKILL");
      await cli.exited;
    }
    const down = nslab(["down", name]);
    expect(down.code, down.stderr).toBe(0);
    expect(scopedSnapshot(prefix, name)).toEqual(before);
    expect(ovsDaemons()).toEqual(daemonsBefore);
    expect(stateEntries((lab) => lab === name)).toEqual(stateBefore);
  });

  it("SIGKILL at random moments: down removes everything the lab created", async () => {
    const daemonsBefore = ovsDaemons();
    for (let round = 0; round < 4; round++) {
      const tag = uniqueTag().slice(1, 5);
      const name = `rkill-${tag}`;
      const prefix = `r${tag}-`;
      labs.push(name);
      const file = writeLab(name);
      const before = scopedSnapshot(prefix, name);
      const stateBefore = stateEntries((lab) => lab === name);
      const cli = start(["up", file, "--prefix", prefix], {});
      await new Promise((r) => setTimeout(r, 250 + Math.random() * 400));
      cli.child.kill("SIGKILL");
      await cli.exited;
      // The agent and ip batches it had started finish their input and exit on their own.
      await new Promise((r) => setTimeout(r, 200));
      const down = nslab(["down", name]);
      expect(down.code, down.stderr).toBe(0);
      expect(scopedSnapshot(prefix, name), `round ${round}`).toEqual(before);
      expect(ovsDaemons(), `round ${round}: OVS daemons`).toEqual(daemonsBefore);
      expect(
        stateEntries((lab) => lab === name),
        `round ${round}: /run/nslab`,
      ).toEqual(stateBefore);
    }
  });

  it("SIGKILL while the lab's record is written: down removes the temp file it left", async () => {
    const tag = uniqueTag().slice(1, 5);
    const name = `wkill-${tag}`;
    const prefix = `w${tag}-`;
    labs.push(name);
    const file = writeLab(name);
    const before = scopedSnapshot(prefix, name);
    const stateBefore = stateEntries((lab) => lab === name);
    const cli = start(["up", file, "--prefix", prefix], { NSLAB_TEST_FAULTS: "pause=lab-record-write" });
    await cli.waitFor(`paused while writing the record of lab '${name}'`);
    cli.child.kill("SIGKILL");
    await cli.exited;
    const temp = `labs/${name}.json.tmp.${cli.child.pid}`;
    expect(stateEntries((lab) => lab === name)).toContain(temp); // what kill -9 left
    const down = nslab(["down", name]);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toMatch(
      new RegExp(`removed .*${temp.replaceAll(".", "\\.")}, left by an nslab process that died writing it`),
    );
    expect(scopedSnapshot(prefix, name)).toEqual(before);
    expect(stateEntries((lab) => lab === name)).toEqual(stateBefore);
  });

  it("down --all finds a lab that is only a half-written record, and clears it", async () => {
    const tag = uniqueTag().slice(1, 5);
    const name = `akill-${tag}`;
    const prefix = `a${tag}-`;
    labs.push(name);
    const file = writeLab(name);
    const stateBefore = stateEntries((lab) => lab === name);
    const cli = start(["up", file, "--prefix", prefix], { NSLAB_TEST_FAULTS: "pause=lab-record-write" });
    await cli.waitFor("paused while writing the record");
    cli.child.kill("SIGKILL");
    await cli.exited;
    const { downAll } = await import("../../../src/index.js");
    const results = await downAll({ filter: (lab) => lab === name });
    expect(results).toEqual([
      expect.objectContaining({
        lab: name,
        found: false,
        leftovers: [expect.stringMatching(new RegExp(`${name}\\.json\\.tmp\\.${cli.child.pid}$`))],
      }),
    ]);
    expect(stateEntries((lab) => lab === name)).toEqual(stateBefore);
  });

  it("SIGKILL while ovs.json is written: the next run holding the OVS lock removes its temp file", async () => {
    const tag = uniqueTag().slice(1, 5);
    const name = `vkill-${tag}`;
    const prefix = `v${tag}-`;
    labs.push(name);
    const file = writeLab(name);
    const before = scopedSnapshot(prefix, name);
    const stateBefore = stateEntries((lab) => lab === name);
    const daemonsBefore = ovsDaemons();
    const cli = start(["up", file, "--prefix", prefix], { NSLAB_TEST_FAULTS: "pause=ovs-record-write" });
    if (daemonsBefore.length === 2) {
      // OVS runs already: nslab writes no ovs.json and up completes (the pause is never reached).
      expect((await cli.exited).code).toBe(0);
    } else {
      await cli.waitFor("paused while writing");
      cli.child.kill("SIGKILL");
      await cli.exited;
      expect(stateEntries(() => false)).toContain(`ovs.json.tmp.${cli.child.pid}`);
    }
    const down = nslab(["down", name]);
    expect(down.code, down.stderr).toBe(0);
    expect(scopedSnapshot(prefix, name)).toEqual(before);
    expect(ovsDaemons()).toEqual(daemonsBefore);
    expect(stateEntries((lab) => lab === name)).toEqual(stateBefore);
  });

  it("a failed rollback keeps the first error, marks the lab dirty, and down finishes it", async () => {
    const tag = uniqueTag().slice(1, 5);
    const name = `rb-${tag}`;
    const prefix = `b${tag}-`;
    labs.push(name);
    const file = writeLab(name);
    const before = scopedSnapshot(prefix, name);
    // The fault strikes among the links, with the namespaces (whose removal fails) made already.
    const at = phases("veth.add").first + 10;
    const r = nslab(["up", file, "--prefix", prefix], {
      env: { NSLAB_TEST_FAULTS: `fail-op=${at},fail-rollback` },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`operation ${at} of \\d+ failed`));
    expect(r.stderr).toMatch(/the rollback failed too: .*injected teardown fault/);
    expect(r.stderr).toContain(`hint: finish the cleanup with: nslab down ${name}`);
    const st = nslab(["status", name, "--json"]);
    expect(JSON.parse(st.stdout)).toMatchObject({ status: "dirty", problem: { fix: `nslab down ${name}` } });
    expect(nslab(["down", name]).code).toBe(0);
    expect(scopedSnapshot(prefix, name)).toEqual(before);
  });
});
