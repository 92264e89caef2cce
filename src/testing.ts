/**
 * `nslab/testing`: {@link withLab} brings a lab up under a unique name and prefix, hands it to a
 * callback, and always takes it down again — so tests that build real networks can run side by
 * side, in one process or many, and leave nothing behind.
 */

import type { CommonOptions } from "./engine/options.js";
import { NslabError, TopologyError } from "./errors.js";
import { Lab } from "./lab/handle.js";
import { TopologyBuilder } from "./model/builder.js";
import { topologyFromObject } from "./model/load.js";
import { IFNAME_MAX } from "./model/names.js";
import { type ResolveOptions, resolveTopology } from "./model/resolve.js";
import type { Topology } from "./model/types.js";
import { readSource } from "./sources/index.js";
import type { TopologySpec } from "./sources/nslab/types.js";
import { labNameFor, PREFIX_BYTES, releasePrefix, reservePrefix } from "./testing/names.js";
import { unwatch, watch } from "./testing/watchdog.js";

export { Lab } from "./lab/handle.js";
export { PREFIX_BYTES } from "./testing/names.js";

/**
 * The part of a test runner's per-test context `withLab` uses. Pass vitest's test context
 * (`test("…", async (ctx) => …)`) or node:test's (`test("…", async (t) => …)`) as is.
 */
export interface TestContextLike {
  /** Aborted when the test times out or the run is cancelled (vitest and node:test). */
  readonly signal?: AbortSignal;
  /** vitest: run `fn` when this test finishes, whatever the outcome (timeouts included). */
  onTestFinished?(fn: () => void | Promise<void>): void;
  /** node:test: run `fn` after this test, whatever the outcome (timeouts included). */
  after?(fn: () => void | Promise<void>): void;
}

/** A topology for {@link withLab}: a spec object, a builder, or the path of a topology file. */
export type LabSource = TopologySpec | TopologyBuilder | string;

/** Options of {@link withLab}. */
export interface WithLabOptions
  extends Pick<CommonOptions, "runner" | "backend" | "log" | "signal" | "onProgress"> {
  /**
   * The test's context (vitest or node:test). With it, the lab is also taken down when the test
   * ends while the callback is still running (a timeout abandons it), and the test's abort signal
   * interrupts `up` and the lab's running `exec` commands.
   */
  test?: TestContextLike;
  /** Start of the lab name (default: the topology's name); `-<tag>` is always appended. */
  name?: string;
  /**
   * Prefix for namespace and root-namespace interface names, instead of a fresh random one
   * (`w` + 3 characters + `-`). Yours must be unique on the host: it is not retried on a clash.
   */
  prefix?: string;
}

/** How many fresh prefixes `withLab` tries when names clash with what exists on the host. */
const ATTEMPTS = 3;

/**
 * Bring `topology` up as a lab with a unique name and a unique prefix, call `fn` with its
 * {@link Lab} handle, and take the lab down; resolves with what `fn` returned.
 *
 * **Names.** Namespaces and root-namespace interfaces (bridges, bridge ports) get a fresh 5-byte
 * prefix (`w3k9-`), and the lab is named `<name>-w3k9`, so any number of copies of one topology run
 * at once. Interface names inside namespaces are kept as written. The prefix leaves 10 of the
 * kernel's 15 bytes (IFNAMSIZ) for bridge and bridge-port names; a longer one is a TopologyError
 * naming the field, before anything is created. A clash with an existing name (another process
 * drew the same prefix) is retried with a new prefix.
 *
 * **Teardown guarantees.**
 * 1. When `fn` returns or throws, the lab is taken down before `withLab` settles. If `fn` threw,
 *    its error is rethrown (a failing teardown is then reported with `process.emitWarning`);
 *    otherwise a failing teardown rejects.
 * 2. With `options.test`, teardown is also registered with the runner (vitest `onTestFinished`,
 *    node:test `t.after`): when the test times out, the runner abandons `fn` but still waits for
 *    the teardown; the test's signal kills the lab's running `exec` commands.
 * 3. When the process ends with the lab still up — `fn` never settled and no test context was
 *    given, an uncaught exception, `process.exit`, a signal, SIGKILL, a terminated test worker —
 *    a watchdog process (one per test process, started on first use) takes the lab down.
 * 4. Not covered: the watchdog being killed together with the test process, or the host going
 *    down. A lab left behind is listed by `nslab status` and removed with `nslab down <lab>`.
 *
 * Errors from bringing the lab up are those of `up` (TopologyError, ApplyError, E_ENV …); nothing
 * is left behind by a failed `up`.
 */
export async function withLab<T>(
  topology: LabSource,
  fn: (lab: Lab) => T | Promise<T>,
  options: WithLabOptions = {},
): Promise<T> {
  const { test, name, prefix: fixedPrefix, signal: ownSignal, ...common } = options;
  const signal = anySignal(ownSignal, test?.signal);
  const source = await sourceOf(topology);
  const base = name ?? source.name;

  let lab: Lab | undefined;
  let prefix = "";
  for (let attempt = 1; !lab; attempt++) {
    prefix = fixedPrefix ?? reservePrefix();
    const labName = labNameFor(base, prefix);
    let resolved: Topology;
    try {
      resolved = await explainPrefix(() => source.resolve({ name: labName, prefix }), !fixedPrefix);
    } catch (e) {
      releasePrefix(prefix);
      throw e;
    }
    watch(labName);
    try {
      lab = await Lab.up(resolved, { ...common, ...(signal ? { signal } : {}), exclusive: true });
    } catch (e) {
      await forget(labName, prefix, e, common);
      if (!fixedPrefix && attempt < ATTEMPTS && isNameClash(e)) continue;
      throw e;
    }
  }

  const up = lab;
  let teardown: Promise<void> | undefined;
  const takeDown = () => {
    teardown ??= up.down().then(() => {
      unwatch(up.name);
      releasePrefix(prefix);
    });
    return teardown;
  };
  if (test?.onTestFinished) test.onTestFinished(takeDown);
  else if (test?.after) test.after(takeDown);

  let result: T;
  try {
    if (signal?.aborted)
      throw new NslabError("E_INTERRUPTED", `the test was aborted while lab '${up.name}' came up`, {
        cause: signal.reason,
      });
    result = await fn(up);
  } catch (e) {
    await takeDown().catch((failure: unknown) =>
      process.emitWarning(
        `withLab: taking lab '${up.name}' down failed too (the watchdog retries when the process ends): ${(failure as Error).message}`,
      ),
    );
    throw e;
  }
  await takeDown();
  return result;
}

/** A topology source: its name, and how to resolve it with a given name and prefix. */
interface Source {
  name: string;
  resolve(options: ResolveOptions): Topology | Promise<Topology>;
}

async function sourceOf(topology: LabSource): Promise<Source> {
  if (typeof topology === "string") {
    // Read once; checked as written first, then resolved with each name and prefix (positions kept).
    const source = await readSource(topology);
    const first = resolveTopology(source);
    return { name: first.name, resolve: (o) => resolveTopology(source, o) };
  }
  if (topology instanceof TopologyBuilder)
    return { name: topology.name, resolve: (o) => topology.toTopology(o) };
  if (topology && typeof topology === "object" && Array.isArray((topology as { nodes?: unknown }).nodes))
    throw new NslabError(
      "E_USAGE",
      "withLab needs the topology as written — a spec object, a builder or a file path — not a resolved Topology",
      { hint: "it resolves the topology itself, with a unique name and prefix" },
    );
  const spec = topology as TopologySpec;
  const name = typeof spec?.name === "string" ? spec.name : "lab";
  return { name, resolve: (o) => topologyFromObject(spec, o) };
}

/** Resolve; when the generated prefix makes a name too long, say so in the terms of withLab. */
async function explainPrefix(
  resolve: () => Topology | Promise<Topology>,
  generated: boolean,
): Promise<Topology> {
  try {
    return await resolve();
  } catch (e) {
    if (!generated || !(e instanceof TopologyError)) throw e;
    const hint = `withLab prefixes bridge and bridge-port names with ${PREFIX_BYTES} bytes so tests can run side by side; keep them at most ${IFNAME_MAX - PREFIX_BYTES} bytes (or pass a shorter 'prefix' that is unique on this host)`;
    throw new TopologyError(e.problems.map((p) => (p.message.includes("with prefix") ? { ...p, hint } : p)));
  }
}

/** After a failed `up`: nothing is left unless its rollback failed too; then take the lab down. */
async function forget(
  lab: string,
  prefix: string,
  error: unknown,
  options: Pick<CommonOptions, "runner" | "backend">,
) {
  if (error instanceof NslabError && error.code === "E_ROLLBACK") {
    const handle = (() => {
      try {
        return Lab.open(lab, options);
      } catch {
        return undefined;
      }
    })();
    // If this fails too the watchdog keeps the lab, and tries again when the process ends.
    if (
      handle &&
      !(await handle.down().then(
        () => true,
        () => false,
      ))
    )
      return;
  }
  unwatch(lab);
  releasePrefix(prefix);
}

/** Another object of the host has one of the names (another process drew the same prefix). */
function isNameClash(e: unknown): boolean {
  if (!(e instanceof NslabError)) return false;
  if (e.code === "E_CONFLICT") return true;
  return e.code === "E_APPLY" && /File exists|already exists/i.test(e.message);
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a && b) return AbortSignal.any([a, b]);
  return a ?? b;
}
