// Schedules the store checks (./artifact-checks.ts) over the manifest, in windows so memory
// does not grow with the store (the artifacts come a window at a time, from memory or read
// from the manifest file), the largest first, two windows in flight so the workers never
// wait. In each window, two passes over the worker pool: what is at each path (lstat, no symlink on the way),
// then the bytes of each file that must be read. The deferred checks (SQLite, pg_dump, live
// directories) start as soon as their place is known and are awaited only at the end, so they
// run beside the hashing instead of after it.
import type { Artifact, Role } from "../documents/types.js";
import { resolveInside } from "../documents/store-path.js";
import type { ArtifactWindows } from "../documents/artifact-windows.js";
import { RecoverableError } from "../findings/errors.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { NO_PROGRESS, type ProgressReporter } from "../util/progress.js";
import type { ArtifactCheck, CheckResult, CheckTools, UnavailableDump } from "./artifact-check.js";
import { DEFERRED_CHECKS, readsBytes, WINDOW_CHECKS } from "./artifact-checks.js";
import { checkPlace } from "./check-place.js";
import { CheckSurvey, surveyOf, type Indexed } from "./check-order.js";
import { checkSizeOnly } from "./check-sampled.js";
import { contentChecked } from "./sample.js";
import { zeroCounts, type CheckName } from "./check-counts.js";
import type { FileDigest, WrittenFile } from "./file-digest.js";
import type { ProbeAnswer } from "./store-pool.js";

/**
 * Artifacts per window: memory holds a window or two, never the whole store's answers. Small,
 * so what a window makes dies young instead of being promoted and growing the heap (peak RSS on
 * the 2 GiB bench store: 4 096: 146 MiB, 512: 124 MiB; on the 8 GiB one, 512: 150 MiB, 128:
 * 131 MiB, 32 no better), at the same speed.
 */
const WINDOW = 128;

/** Findings of the artifact at `index` of the manifest; `part` 1 is its deferred check's. */
type IndexedFindings = {
  readonly index: number;
  readonly part: 0 | 1;
  readonly findings: ClassifiedFinding[];
};

/** What the checks found: only artifacts with findings are kept, never one entry per artifact. */
export class CheckTally {
  readonly byCheck: Record<CheckName, number> = zeroCounts().byCheck;
  readonly unavailable: UnavailableDump[] = [];
  /** In a sampled run, the store paths whose content was checked (in the order checked). */
  readonly sampled: string[] = [];
  /** Every artifact by role, counted before any was checked. */
  byRole: Record<Role, number> = zeroCounts().byRole;
  private readonly found: IndexedFindings[] = [];
  private readonly deferred: Promise<void>[] = [];

  keep(index: number, result: CheckResult, part: 0 | 1 = 0): void {
    for (const check of result.checks) this.byCheck[check]++;
    if (result.unavailable) this.unavailable.push(result.unavailable);
    if (result.findings.length > 0) this.found.push({ index, part, findings: result.findings });
  }

  defer(index: number, work: Promise<CheckResult>): void {
    const kept = work.then((result) => {
      this.keep(index, result, 1);
    });
    kept.catch(() => undefined); // awaited by settled(); a window that fails first must not leave it unhandled
    this.deferred.push(kept);
  }

  async settled(): Promise<void> {
    await Promise.all(this.deferred);
  }

  /** Manifest order, whatever order the windows and databases finished in. */
  findings(): ClassifiedFinding[] {
    return this.found
      .sort((x, y) => x.index - y.index || x.part - y.part)
      .flatMap((entry) => entry.findings);
  }
}

/**
 * Every store check of `artifacts`, the largest first (./check-order.ts), then the rest in
 * manifest order, two windows in flight. A first pass over the artifacts finds the largest and
 * what progress counts (`surveyed`: the caller's pass that read the manifest did it already).
 */
export async function checkArtifacts(
  root: string,
  artifacts: ArtifactWindows,
  tools: CheckTools,
  progress: ProgressReporter = NO_PROGRESS,
  surveyed?: CheckSurvey,
): Promise<CheckTally> {
  const tally = new CheckTally();
  const survey = surveyed ?? (await surveyOf(artifacts, tools));
  tally.byRole = survey.byRole;
  const stage =
    survey.files === 0
      ? NO_PROGRESS.stage("")
      : progress.stage("check store", { files: survey.files, bytes: survey.bytes });
  const window = { root, tools, tally, onRead: stage.advance.bind(stage) };
  const inFlight = new InFlight(2);
  const first = survey.largest.list();
  for (let at = 0; at < first.length; at += WINDOW)
    await inFlight.add(() => checkWindow(window, first.slice(at, at + WINDOW)));
  const started = new Set(first.map((entry) => entry.index));
  await artifacts.forEachWindow(WINDOW, (start, list) => {
    const rest: Indexed[] = [];
    list.forEach((artifact, offset) => {
      if (!started.has(start + offset)) rest.push({ index: start + offset, artifact });
    });
    return rest.length === 0 ? undefined : inFlight.add(() => checkWindow(window, rest));
  });
  await inFlight.settled();
  await tally.settled();
  stage.done();
  return tally;
}

/** At most `limit` pieces of work at a time; add waits for room. */
class InFlight {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly limit: number) {}

  async add(work: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    const running: Promise<void> = work().finally(() => this.running.delete(running));
    running.catch(() => undefined); // awaited by add or settled, which throw it
    this.running.add(running);
  }

  async settled(): Promise<void> {
    await Promise.all(this.running);
  }
}

type Window = {
  readonly root: string;
  readonly tools: CheckTools;
  readonly tally: CheckTally;
  readonly onRead: (files: number, bytes: number) => void;
};

type Located = { readonly index: number; readonly artifact: Artifact; readonly file: string };

async function checkWindow(window: Window, entries: readonly Indexed[]): Promise<void> {
  const { root, tools, tally } = window;
  const located: Located[] = [];
  for (const { index, artifact } of entries) {
    const file = resolveInside(root, artifact.path);
    if (file !== null) located.push({ index, artifact, file });
    else tally.keep(index, escapesRoot(artifact));
  }
  const answers = await tools.pool.probe(
    root,
    located.map((l) => l.artifact.path),
  );
  const toHash: Located[] = [];
  const digests = deferred<FileDigest[]>();
  const inWindow = located.map((l, position) => {
    const answer = answers[position] as ProbeAnswer[number];
    const place = checkPlace(l.artifact, answer);
    if (!place.sound) {
      tally.keep(l.index, place.result);
      return Promise.resolve();
    }
    if (tools.sample) {
      if (!contentChecked(l.artifact, tools.sample)) {
        tally.keep(l.index, checkSizeOnly(l.artifact, answer.size, place.result));
        return Promise.resolve();
      }
      tally.sampled.push(l.artifact.path);
    }
    // Only a file in its place is read.
    return checkPlaced(l, place.result, bytesOf(l, tools.written, toHash, digests.promise), window);
  });
  const files = toHash.map((l) => ({ file: l.file, expectedSize: l.artifact.size }));
  digests.settle(tools.pool.digestAll(files, window.onRead));
  await Promise.all(inWindow);
}

/** Every check that applies to an artifact in its place: the window's merged with the place's, the rest deferred. */
async function checkPlaced(
  { index, artifact, file }: Located,
  place: CheckResult,
  bytes: () => Promise<WrittenFile>,
  { tools, tally }: Window,
): Promise<void> {
  const placed = { artifact, file, bytes };
  const applies = (check: ArtifactCheck) => check.applies(artifact, tools);
  for (const check of DEFERRED_CHECKS.filter(applies))
    tally.defer(index, check.check(placed, tools));
  const results = await Promise.all(
    WINDOW_CHECKS.filter(applies).map((c) => c.check(placed, tools)),
  );
  tally.keep(index, {
    checks: [...place.checks, ...results.flatMap((r) => r.checks)],
    findings: [...place.findings, ...results.flatMap((r) => r.findings)],
  });
}

/** The bytes of a file: the restore's digest, or the window's read, in the order it asks. */
function bytesOf(
  located: Located,
  written: ReadonlyMap<string, WrittenFile> | undefined,
  toHash: Located[],
  digests: Promise<FileDigest[]>,
): () => Promise<WrittenFile> {
  if (!readsBytes(located.artifact)) return () => Promise.reject(noBytes(located.artifact));
  const done = written?.get(located.artifact.path);
  if (done) return () => Promise.resolve(done);
  const position = toHash.push(located) - 1;
  return () => digests.then((all) => all[position] as FileDigest);
}

function noBytes(artifact: Artifact): RecoverableError {
  return new RecoverableError(
    createFinding("internal_error", {
      subject: artifact.path,
      message: `${artifact.path}: a store check asked for the bytes of an artifact that is not read`,
    }),
  );
}

function escapesRoot(artifact: Artifact): CheckResult {
  const finding = createFinding("path_escapes_root", {
    subject: artifact.path,
    message: `${artifact.path}: the path leaves the store root`,
    failureClass: "unusable_input",
  });
  return { checks: [], findings: [finding] };
}

/** A promise settled later by another one (the window's digests, once they are asked for). */
function deferred<T>(): { promise: Promise<T>; settle: (from: Promise<T>) => void } {
  let settle: (from: Promise<T>) => void = () => undefined;
  const promise = new Promise<T>((resolve) => {
    settle = resolve;
  });
  promise.catch(() => undefined); // a read that fails fails the window, through its checks
  return { promise, settle };
}
