// The one error boundary: anything a verb did not turn into findings becomes a result too,
// with exit 2 for a command line commander refused and exit 3 for anything unexpected. No
// stack trace reaches a user unless RECOVERABLE_DEBUG is set.
import { CommanderError } from "commander";
import { findingOfError } from "../findings/errors.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { interruptedFinding } from "../findings/interrupted.js";
import type { InterruptSignal } from "../util/run-scope.js";
import { createResult, NO_RELEASE, type VerbName } from "../verbs/result.js";
import { emit, resultPrinted } from "./output.js";

const VERBS: readonly VerbName[] = [
  "keygen",
  "seal",
  "identity",
  "verify",
  "restore",
  "drill",
  "snapshot",
  "gate",
  "audit",
];
const SNAPSHOTS_VERBS = ["list", "validate", "diff", "prune", "export"] as const;

function verbOf(argv: readonly string[]): VerbName {
  if (argv[0] === "report")
    return argv[1] === "merge" || argv[1] === "render" ? `report ${argv[1]}` : "report verify";
  if (argv[0] === "snapshots") {
    const sub = SNAPSHOTS_VERBS.find((verb) => argv[1] === verb) ?? "list";
    return `snapshots ${sub}`;
  }
  return VERBS.find((verb) => argv[0] === verb) ?? "verify";
}

function wantsJSON(argv: readonly string[]): boolean {
  return argv.includes("--json");
}

function report(argv: readonly string[], finding: ClassifiedFinding): number {
  const result = createResult(verbOf(argv), [finding], NO_RELEASE, {});
  if (wantsJSON(argv)) emit(result, { json: true });
  else {
    process.stderr.write(`recoverable: ${finding.message}\n${finding.hint}\n`);
    process.exitCode = result.exitCode;
  }
  return result.exitCode;
}

/**
 * A run interrupted before its verb could say so itself: its result is the `interrupted`
 * finding; the code to exit with is returned (the printed result's, when there was one).
 */
export function handleInterrupt(argv: readonly string[], signal: InterruptSignal): number {
  if (resultPrinted()) return Number(process.exitCode ?? 0);
  return report(
    argv,
    interruptedFinding(
      signal,
      `recoverable ${verbOf(argv)} was interrupted by ${signal} before it finished; what it had started was stopped and its scratch places removed`,
    ),
  );
}

export function handleUsageError(argv: readonly string[], error: CommanderError): void {
  const message = error.message.replace(/^error: /, "");
  report(
    argv,
    createFinding("usage_invalid", {
      subject: "command line",
      actual: argv.join(" "),
      message,
    }),
  );
}

export function handleUnexpectedError(argv: readonly string[], error: unknown): void {
  report(argv, findingOfError(error));
}
