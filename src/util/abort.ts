/**
 * AbortSignal for operations that wait: an aborted operation rejects at once with `E_INTERRUPTED`
 * (its cause the signal's reason), whatever it was waiting for; what it started is stopped by the
 * runner the signal was given to (drivers/runner `withSignal`).
 */
import { NslabError } from "../errors.js";

/** The error of an operation stopped by its signal. */
export function interrupted(what: string, cause?: unknown): NslabError {
  return new NslabError("E_INTERRUPTED", `${what} was aborted`, { cause });
}

/** Throw `E_INTERRUPTED` when `signal` has aborted already. */
export function checkSignal(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw interrupted(what, signal.reason);
}

/** `work`, or `E_INTERRUPTED` as soon as `signal` aborts (a failure after an abort is one too). */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => {}); // it fails on its own, or finishes unheard
    return Promise.reject(interrupted(what, signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(interrupted(what, signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) reject(interrupted(what, signal.reason));
        else resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(signal.aborted ? interrupted(what, e) : e);
      },
    );
  });
}

/** A signal that aborts when either does (or undefined when there is none). */
export function anySignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a && b) return AbortSignal.any([a, b]);
  return a ?? b;
}
