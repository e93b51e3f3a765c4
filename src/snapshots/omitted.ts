// What a snapshot leaves out (pure): paths that are not the store's (`exclude`: logs, caches,
// scratch) and artifacts the roles make disposable, which a drill never needs. The rules are
// kept in the snapshot's metadata, so `snapshots diff` leaves out exactly what it left out.
import type { RoleRule, SnapshotMetadata } from "../documents/types.js";
import { createPathMatcher } from "../store/path-matcher.js";
import { createRoleMatcher } from "../store/roles.js";

export type Omitted = NonNullable<SnapshotMetadata["omitted"]>;

export function omittedBy(exclude: readonly string[], roles: readonly RoleRule[]): Omitted {
  return { exclude, roles };
}

/** Whether a path of the store is left out; nothing is when the snapshot kept no rules. */
export function createOmitter(omitted: Omitted | undefined): (path: string) => boolean {
  if (omitted === undefined) return () => false;
  const excluded = createPathMatcher(omitted.exclude);
  const roleOf = createRoleMatcher(omitted.roles);
  return (path) => excluded(path) || roleOf(path) === "disposable";
}
