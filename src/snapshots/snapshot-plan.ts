// What `snapshot` takes (pure): its label, checked, and what it leaves out: the drill config's
// and the flags' excludes, and the artifacts the roles make disposable.
import type { RoleRule } from "../documents/types.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import { createFinding } from "../findings/finding.js";
import { omittedBy, type Omitted } from "./omitted.js";

export type SnapshotFlags = {
  readonly label?: string;
  /** --exclude */
  readonly exclude?: readonly string[];
  readonly config: { readonly exclude: readonly string[]; readonly roles: readonly RoleRule[] };
};

export type SnapshotPlan = { readonly label: string | null; readonly omitted?: Omitted };

export const MAX_LABEL = 200;

export function planSnapshot(flags: SnapshotFlags): Checked<SnapshotPlan> {
  if (flags.label !== undefined && flags.label.length > MAX_LABEL)
    return failed(
      createFinding("usage_invalid", {
        subject: "--label",
        message: `--label is longer than ${MAX_LABEL} characters`,
      }),
    );
  const exclude = [...flags.config.exclude, ...(flags.exclude ?? [])];
  const disposable = flags.config.roles.some((rule) => rule.role === "disposable");
  const label = flags.label ?? null;
  if (exclude.length === 0 && !disposable) return ok({ label });
  return ok({ label, omitted: omittedBy(exclude, flags.config.roles) });
}
