/** A runner whose commands a signal stops: runs are killed (and fail), started processes are ended. */
import type { Runner } from "./runner.js";

/** `runner`, with every command it runs or starts stopped when `signal` aborts. */
export function withSignal(runner: Runner, signal: AbortSignal | undefined): Runner {
  if (!signal) return runner;
  return {
    run: (argv, options = {}) =>
      runner.run(argv, {
        ...options,
        signal: options.signal ? AbortSignal.any([options.signal, signal]) : signal,
      }),
    start: (argv, options) => {
      const child = runner.start(argv, options);
      const stop = () => child.kill("SIGTERM");
      if (signal.aborted) stop();
      else {
        signal.addEventListener("abort", stop, { once: true });
        child.once("close", () => signal.removeEventListener("abort", stop));
      }
      return child;
    },
  };
}
