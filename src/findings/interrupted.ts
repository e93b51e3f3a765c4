// The finding of a run cut short by a signal (or, in a library, by its caller's AbortSignal).
// Its subject is the signal, from which the exit code follows (./verdict.ts, exitCodeOfRun).
import type { Interruption } from "../util/run-scope.js";
import { createFinding, type ClassifiedFinding } from "./finding.js";

/** "SIGTERM", or "its caller's AbortSignal" for a library call. */
export function interruptedBy(interruption: Interruption): string {
  return interruption === "aborted" ? "its caller's AbortSignal" : interruption;
}

/** `message` says what was interrupted, when, and what it left; `hint`, when not the catalogue's. */
export function interruptedFinding(
  interruption: Interruption,
  message: string,
  hint?: string,
): ClassifiedFinding {
  return createFinding("interrupted", {
    subject: interruption === "aborted" ? "AbortSignal" : interruption,
    actual: interruption === "aborted" ? "aborted" : `${interruption} received`,
    message,
    ...(hint === undefined ? {} : { hint }),
  });
}
