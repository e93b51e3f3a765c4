// What a restore command asks for, judged before anything is read (pure): which of its modes
// (a restore, --recover, --undo), and whether its flags go together; then the target's state,
// judged against --force. Each combination that makes no sense is a usage finding naming it.
import picomatch from "picomatch";
import { artifactsOf, type ArtifactSource } from "../documents/artifact-table.js";
import type { Artifact } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { failed, failedWith, ok, type Checked } from "../findings/checked.js";
import type { TargetState } from "./plan.js";

/** The flags a restore is given, as the library takes them. */
export type RestoreFlags = {
  readonly source?: string;
  readonly target: string;
  readonly force?: boolean;
  readonly dryRun?: boolean;
  readonly recover?: boolean;
  readonly undo?: boolean;
  /** --only: globs over store paths; only the artifacts they match are restored. */
  readonly only?: readonly string[];
  /** --set-aside-unlisted: what the release does not list goes into the safety copy. */
  readonly setAsideUnlisted?: boolean;
};

export type RestoreMode =
  | { readonly kind: "recover" }
  | { readonly kind: "undo"; readonly dryRun: boolean }
  | {
      readonly kind: "restore";
      readonly source: string;
      readonly dryRun: boolean;
      readonly force: boolean;
      readonly only: readonly string[];
      readonly setAsideUnlisted: boolean;
    };

const usage = (subject: string, message: string) =>
  createFinding("usage_invalid", { subject, message });

/** The flags given, by their command-line names, among those that `mode` takes none of. */
function given(flags: RestoreFlags, names: readonly (keyof RestoreFlags)[]): string[] {
  const spelled: Record<string, string> = {
    source: "--source",
    force: "--force",
    dryRun: "--dry-run",
    undo: "--undo",
    only: "--only",
    setAsideUnlisted: "--set-aside-unlisted",
  };
  return names
    .filter((name) => {
      const value = flags[name];
      return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== false;
    })
    .map((name) => spelled[name] ?? name);
}

/** The mode the flags ask for, or the usage finding of a combination that does not go. */
export function modeOf(flags: RestoreFlags): Checked<RestoreMode> {
  if (flags.recover) {
    if (given(flags, ["source", "dryRun", "force", "undo", "only", "setAsideUnlisted"]).length > 0)
      return failed(
        usage(
          "--recover",
          "--recover restores nothing: give it --target (and the --scratch of the interrupted run, if any), without --source, --force, --dry-run, --undo or --only",
        ),
      );
    return ok({ kind: "recover" });
  }
  if (flags.undo) {
    const extra = given(flags, ["source", "force", "only", "setAsideUnlisted"]);
    if (extra.length > 0)
      return failed(
        usage(
          "--undo",
          `--undo puts the target's last safety copy back and keeps what it replaces as a safety copy in turn: give it --target (and --dry-run to see the plan), without ${extra.join(", ")}`,
        ),
      );
    return ok({ kind: "undo", dryRun: flags.dryRun ?? false });
  }
  if (flags.source === undefined)
    return failed(
      usage(
        "--source",
        "--source is required (or --recover, to finish an interrupted restore, or --undo, to put the last safety copy back)",
      ),
    );
  const only = flags.only ?? [];
  const bad = only.find((glob) => glob.trim() === "");
  if (bad !== undefined) return failed(usage("--only", "--only needs a glob over store paths"));
  if (only.length > 0 && flags.setAsideUnlisted)
    return failed(
      usage(
        "--set-aside-unlisted",
        "--only leaves everything it does not restore where it is: --set-aside-unlisted goes with a whole restore only",
      ),
    );
  return ok({
    kind: "restore",
    source: flags.source,
    dryRun: flags.dryRun ?? false,
    force: flags.force ?? false,
    only,
    setAsideUnlisted: flags.setAsideUnlisted ?? false,
  });
}

/** What `targetStateOf` finds at the target. */
export type FoundState = TargetState | "not-a-directory";

/**
 * The target's state for the plan, and what stops the restore (a dry run still shows the plan
 * beside it): a non-empty target needs --force, unless only some of it is restored (--only).
 */
export function judgeTarget(
  found: FoundState,
  target: string,
  force: boolean,
): { state: TargetState | null; stop: ClassifiedFinding | null } {
  if (found === "not-a-directory")
    return {
      state: null,
      stop: usage("--target", `--target ${target} exists and is not a directory`),
    };
  if (found !== "non-empty" || force) return { state: found, stop: null };
  return {
    state: found,
    stop: createFinding("target_not_empty", {
      subject: target,
      expected: "an empty or absent directory, or --force",
      actual: "a non-empty directory",
      message: `${target} is not empty; pass --force to replace it (a safety copy is kept)`,
    }),
  };
}

/**
 * --only: the artifacts the globs match (store paths, dotfiles too, as the drill config's globs),
 * or a usage finding for each glob that matches nothing the release lists.
 */
export function selectArtifacts(
  globs: readonly string[],
  artifacts: ArtifactSource,
): Checked<Artifact[]> {
  const tests = globs.map((glob) => picomatch(glob, { dot: true }));
  const used = globs.map(() => false);
  const selected: Artifact[] = [];
  for (const artifact of artifactsOf(artifacts)) {
    const hits = tests.map((test) => test(artifact.path));
    hits.forEach((hit, index) => (used[index] ||= hit));
    if (hits.some(Boolean)) selected.push(artifact);
  }
  const unmatched = globs.filter((_glob, index) => !used[index]);
  if (unmatched.length === 0) return ok(selected);
  return failedWith(
    unmatched.map((glob) =>
      createFinding("usage_invalid", {
        subject: "--only",
        expected: "a glob over store paths the release lists",
        actual: glob,
        message: `--only ${glob} matches nothing the release lists, so nothing was restored`,
        hint: "Globs match store paths relative to the store root, as the release's manifest lists them: datasets/places.sqlite, datasets/**.",
      }),
    ),
  );
}
