// What `snapshots diff <from> [<to>]` compares (pure): a snapshot, given as an id in --repo or as
// snapshot:<repo>#<x>, with a directory (the live store root: <to> as dir:<path>, or --root, or
// store.root of the drill config) or with another snapshot (<to> as an id in the same
// repository or as snapshot:<repo>#<x>).
import { resolve } from "node:path";
import { failed, ok, type Checked } from "../findings/checked.js";
import { createFinding } from "../findings/finding.js";

export type DiffFlags = {
  readonly from: string;
  readonly to?: string;
  readonly repo?: string;
  readonly root?: string;
  readonly cwd: string;
};

/** A snapshot by repository (absolute) and what `#<x>` says (id, prefix, latest or label). */
export type SnapshotTarget = { readonly repo: string; readonly wanted: string };

export type DiffPlan = {
  readonly from: SnapshotTarget;
  /** A directory (null: store.root of the drill config), or another snapshot. */
  readonly to:
    | { readonly kind: "dir"; readonly root: string | null }
    | { readonly kind: "snapshot"; readonly target: SnapshotTarget };
};

const REFERENCE = /^(dir|tar|snapshot|restic):/;

export function planDiff(flags: DiffFlags): Checked<DiffPlan> {
  const from = fromSide(flags);
  if (!from.ok) return from;
  if (flags.to === undefined)
    return ok({ from: from.value, to: { kind: "dir", root: rootOf(flags.root, flags.cwd) } });
  if (flags.root !== undefined)
    return usage(
      "--root",
      `--root and a second side (${flags.to}) both name what to compare with: give one`,
    );
  const to = toSide(flags.to, from.value.repo, flags.cwd);
  return to.ok ? ok({ from: from.value, to: to.value }) : to;
}

function fromSide(flags: DiffFlags): Checked<SnapshotTarget> {
  const scheme = REFERENCE.exec(flags.from)?.[1];
  if (scheme === "snapshot") {
    if (flags.repo !== undefined)
      return usage("--repo", `${flags.from} names its repository; leave out --repo ${flags.repo}`);
    return ok(snapshotTarget(flags.from, flags.cwd));
  }
  if (scheme !== undefined)
    return usage(
      flags.from,
      `${flags.from}: the first side of a diff is a snapshot (an id with --repo, or snapshot:<repo>#<id|latest|label>)`,
    );
  if (flags.repo === undefined)
    return usage(
      "--repo",
      `${flags.from} is a snapshot of which repository? Pass --repo <dir>, or give snapshot:<repo>#${flags.from}`,
    );
  return ok({ repo: resolve(flags.cwd, flags.repo), wanted: flags.from });
}

function toSide(to: string, repo: string, cwd: string): Checked<DiffPlan["to"]> {
  const scheme = REFERENCE.exec(to)?.[1];
  if (scheme === undefined) return ok({ kind: "snapshot", target: { repo, wanted: to } });
  if (scheme === "snapshot") return ok({ kind: "snapshot", target: snapshotTarget(to, cwd) });
  const rest = to.slice(scheme.length + 1);
  if (scheme === "dir" && rest !== "") return ok({ kind: "dir", root: resolve(cwd, rest) });
  return usage(
    to,
    `${to}: a snapshot is compared with a directory (dir:<path>) or another snapshot (an id, or snapshot:<repo>#<id|latest|label>)`,
  );
}

/** `snapshot:<repo>#<x>`; `#latest` when no `#` is given, as the snapshot: source reads it. */
function snapshotTarget(text: string, cwd: string): SnapshotTarget {
  const rest = text.slice("snapshot:".length);
  const hash = rest.lastIndexOf("#");
  const repo = hash < 0 ? rest : rest.slice(0, hash);
  const wanted = hash < 0 || hash === rest.length - 1 ? "latest" : rest.slice(hash + 1);
  return { repo: resolve(cwd, repo), wanted };
}

function rootOf(root: string | undefined, cwd: string): string | null {
  return root === undefined ? null : resolve(cwd, root);
}

function usage(subject: string, message: string): Checked<never> {
  return failed(createFinding("usage_invalid", { subject, message }));
}
