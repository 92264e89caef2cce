/**
 * The one place a Driver is made — for the engine's own operations, for handles over running labs,
 * and for a session that keeps one open (the web view) — and where the driver's configuration
 * variables are read (`NSLAB_BACKEND`, `NSLAB_OVS`). Another target (a remote host over SSH) is one
 * more branch here.
 */
import { type Backend, Driver } from "../drivers/driver.js";
import type { Faults } from "../drivers/faults.js";
import type { Runner } from "../drivers/runner/index.js";

/** What a driver is made with. */
export interface DriverChoice {
  /** Runs external programs (tests pass a recording runner). */
  runner?: Runner;
  /** `agent`, `iproute2`, or `auto` (the agent when built); default `NSLAB_BACKEND`, else auto. */
  backend?: Backend | "auto";
  /** Failures to inject (tests only). */
  faults?: Faults;
}

/** A new driver (close it when done). */
export function openDriver(choice: DriverChoice = {}): Driver {
  return new Driver({
    ...(choice.runner ? { runner: choice.runner } : {}),
    backend: choice.backend ?? (process.env.NSLAB_BACKEND as Backend | undefined) ?? "auto",
    ovs: process.env.NSLAB_OVS === "vsctl" ? "vsctl" : "ovsdb",
    ...(choice.faults ? { faults: choice.faults } : {}),
  });
}

/** Runs a function with a driver: a fresh one closed afterwards, or one a session keeps open. */
export type DriverUse = <T>(fn: (driver: Driver) => Promise<T>) => Promise<T>;

/** Run `fn` with a fresh driver, closed afterwards whatever happens. */
export async function withDriver<T>(choice: DriverChoice, fn: (driver: Driver) => Promise<T>): Promise<T> {
  const driver = openDriver(choice);
  try {
    return await fn(driver);
  } finally {
    await driver.close();
  }
}

/**
 * One driver kept open across many calls (opened on first use): for a long-lived client that
 * observes labs over and over (the web view), so the agent and the OVSDB connection are reused.
 */
export class DriverSession {
  readonly #choice: DriverChoice;
  #driver: Driver | undefined;

  constructor(choice: DriverChoice = {}) {
    this.#choice = choice;
  }

  driver(): Driver {
    this.#driver ??= openDriver(this.#choice);
    return this.#driver;
  }

  /** Run `fn` with the session's driver (it stays open). */
  readonly use: DriverUse = (fn) => fn(this.driver());

  async close(): Promise<void> {
    const d = this.#driver;
    this.#driver = undefined;
    await d?.close();
  }
}
