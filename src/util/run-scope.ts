// The one place where SIGINT and SIGTERM are handled. The command line installs it before it
// loads anything else, so no signal is lost between the start of the process and the verb.
// A signal aborts the scope's AbortSignal. A verb that stops by itself when that signal
// aborts (drill, restore) adopts the scope: it unwinds, stops what it started, and reports the
// interruption in its result. For every other verb, and for a second signal, the run ends at
// once: the interruption is reported, and process.exit runs the synchronous cleanups of
// ./exit-cleanup.ts (servers, scratch) on its way out. The exit code is 130 after SIGINT and
// 143 after SIGTERM. A library never installs this; it takes an AbortSignal instead.

export type InterruptSignal = "SIGINT" | "SIGTERM";

/** How a run was interrupted: by a signal, or by its caller's AbortSignal (a library call). */
export type Interruption = InterruptSignal | "aborted";

/** The reason of an aborted run scope. */
class Interrupted extends Error {
  constructor(readonly signal: InterruptSignal) {
    super(`interrupted by ${signal}`);
    this.name = "Interrupted";
  }
}

/** 128 + the signal's number, as a shell reports a process ended by it. */
function exitCodeOfSignal(signal: InterruptSignal): 130 | 143 {
  return signal === "SIGINT" ? 130 : 143;
}

/** Why `signal` aborted, or null when it has not. */
export function interruptionOf(signal: AbortSignal): Interruption | null {
  if (!signal.aborted) return null;
  return signal.reason instanceof Interrupted ? signal.reason.signal : "aborted";
}

/**
 * Says that the run was interrupted, unless a result was printed already; returns the exit
 * code the process must end with (the printed result's, if there was one).
 */
export type InterruptReporter = (signal: InterruptSignal) => number;

class RunScope {
  private readonly controller = new AbortController();
  private adopted = false;
  private reporter: InterruptReporter | null = null;
  private readonly onSignal = (signal: InterruptSignal) => {
    this.interrupt(signal);
  };

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The verb stops by itself when `signal` aborts: the first signal no longer ends the run. */
  adopt(): AbortSignal {
    this.adopted = true;
    return this.controller.signal;
  }

  /** The command line can report from now on (its modules are loaded). */
  reportWith(reporter: InterruptReporter): void {
    this.reporter = reporter;
  }

  install(): void {
    process.on("SIGINT", this.onSignal);
    process.on("SIGTERM", this.onSignal);
  }

  private interrupt(signal: InterruptSignal): void {
    if (!this.controller.signal.aborted) {
      this.controller.abort(new Interrupted(signal));
      // The verb unwinds; or, while the command line loads, it reports once it can.
      if (this.adopted || this.reporter === null) return;
    }
    this.exitNow(signal);
  }

  /** Reports the interruption and exits; the exit handlers run the synchronous cleanups. */
  exitNow(signal: InterruptSignal): never {
    const code = this.reporter?.(signal) ?? exitCodeOfSignal(signal);
    process.exit(code);
  }
}

let installed: RunScope | null = null;

/** Installs the process's run scope (the command line does, first thing); idempotent. */
export function installRunScope(): RunScope {
  if (installed === null) {
    installed = new RunScope();
    installed.install();
  }
  return installed;
}

/** The process's run scope, or null in a library (nobody installed one). */
export function currentRunScope(): RunScope | null {
  return installed;
}
