// The rollback policy, enforced (pure): one function per rule, each naming the policy field it
// implements by its JSON pointer. restore, drill and gate refuse a release any rule forbids
// with `rollback_forbidden`; gate and audit also judge drills against the objectives and the
// drill schedule. docs/threat-model.md says what each rule stops.
import picomatch from "picomatch";
import semver from "semver";
import type { RollbackPolicy } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import type { DigestSet } from "../identity/digest.js";
import { formatDuration, parseDuration } from "../util/duration.js";
import type { PolicyRule, RuleOutcome } from "../documents/drill-report.js";

/** The release being restored, served or shipped, as its packet says. */
export type ReleaseFacts = {
  readonly id: string;
  readonly version: string;
  readonly createdAt: string;
  readonly identity: DigestSet;
};

/** The newest release proven for a store (docs/threat-model.md "Rollback"). */
export type HighWaterMark = {
  readonly releaseId: string;
  readonly version: string;
  readonly identity: DigestSet;
  readonly provenAt: string;
  /**
   * Whether the policy of that newest proven release allows downgrades. Downgrade permission is
   * taken from here, not from the evidence being restored: an old release replayed with its old,
   * more permissive policy must not grant itself the rollback.
   */
  readonly allowDowngrade: boolean;
};

export type ReleaseContext = {
  readonly now: Date;
  /** The newest release proven for this store, or null when none was recorded yet. */
  readonly highWater: HighWaterMark | null;
  /** The operator asked for a downgrade (--allow-downgrade). */
  readonly allowDowngrade: boolean;
};

function outcome(
  rule: PolicyRule,
  field: string,
  passed: boolean,
  expected: string,
  actual: string,
  message: string,
): RuleOutcome {
  return { rule, field, passed, expected, actual, message };
}

/** /releases/versionFloor: no release below this version may be restored or served. */
export function checkVersionFloor(policy: RollbackPolicy, release: ReleaseFacts): RuleOutcome {
  const floor = policy.releases.versionFloor;
  const valid = semver.valid(release.version) !== null && semver.valid(floor) !== null;
  const passed = valid && semver.gte(release.version, floor);
  return outcome(
    "versionFloor",
    "/releases/versionFloor",
    passed,
    `version >= ${floor}`,
    release.version,
    passed
      ? `version ${release.version} is at or above the floor ${floor}`
      : valid
        ? `version ${release.version} is below the policy's version floor ${floor}`
        : `version ${release.version} or the floor ${floor} is not semver`,
  );
}

/** /releases/allowedIds: when present, the release id must match one of its globs. */
export function checkAllowedIds(policy: RollbackPolicy, release: ReleaseFacts): RuleOutcome {
  const allowed = policy.releases.allowedIds;
  if (allowed === undefined)
    return outcome(
      "allowedIds",
      "/releases/allowedIds",
      true,
      "any id",
      release.id,
      "no allow-list",
    );
  const match = allowed.find((pattern) => picomatch.isMatch(release.id, pattern));
  return outcome(
    "allowedIds",
    "/releases/allowedIds",
    match !== undefined,
    `an id matching ${allowed.join(", ")}`,
    release.id,
    match !== undefined
      ? `release ${release.id} matches ${match}`
      : `release ${release.id} matches none of the allowed ids (${allowed.join(", ")})`,
  );
}

/** /releases/deniedIds: a release whose id matches one of these globs is never allowed. */
export function checkDeniedIds(policy: RollbackPolicy, release: ReleaseFacts): RuleOutcome {
  const match = policy.releases.deniedIds.find((pattern) => picomatch.isMatch(release.id, pattern));
  return outcome(
    "deniedIds",
    "/releases/deniedIds",
    match === undefined,
    "an id no denied pattern matches",
    release.id,
    match === undefined
      ? `release ${release.id} is not denied`
      : `release ${release.id} is denied by the policy (${match})`,
  );
}

/** /releases/maxAge: a release older than this (by its packet's createdAt) is not restored. */
export function checkMaxAge(policy: RollbackPolicy, release: ReleaseFacts, now: Date): RuleOutcome {
  const limit = parseDuration(policy.releases.maxAge);
  const age = now.getTime() - Date.parse(release.createdAt);
  const passed = limit !== null && Number.isFinite(age) && age <= limit;
  return outcome(
    "maxAge",
    "/releases/maxAge",
    passed,
    `at most ${policy.releases.maxAge} old`,
    Number.isFinite(age) ? formatDuration(Math.max(age, 0)) : release.createdAt,
    passed
      ? `release ${release.id} is ${formatDuration(Math.max(age, 0))} old`
      : `release ${release.id} was created ${release.createdAt}, older than the policy's maximum age ${policy.releases.maxAge}`,
  );
}

/**
 * /releases/allowDowngrade with the high-water mark: a release below the newest one proven for
 * this store, or another release claiming the same version, is a rollback. It is allowed only
 * when the policy of the newest proven release allows downgrades and the operator asked for one.
 */
export function checkDowngrade(
  policy: RollbackPolicy,
  release: ReleaseFacts,
  context: ReleaseContext,
): RuleOutcome {
  const mark = context.highWater;
  const field = "/releases/allowDowngrade";
  if (mark === null)
    return outcome(
      "downgrade",
      field,
      true,
      "no newer release proven",
      "none recorded",
      "no high-water mark yet",
    );
  const below =
    semver.valid(release.version) !== null &&
    semver.valid(mark.version) !== null &&
    semver.lt(release.version, mark.version);
  const impostor =
    release.version === mark.version && release.identity.sha256 !== mark.identity.sha256;
  const expected = `version >= ${mark.version} (${mark.releaseId}, proven ${mark.provenAt})`;
  if (!below && !impostor)
    return outcome(
      "downgrade",
      field,
      true,
      expected,
      release.version,
      `not below ${mark.version}`,
    );
  const what = impostor
    ? `release ${release.id} claims version ${release.version}, but the release proven with that version had another identity`
    : `release ${release.id} (${release.version}) is older than ${mark.releaseId} (${mark.version}), proven for this store ${mark.provenAt}`;
  if (mark.allowDowngrade && context.allowDowngrade && !impostor)
    return {
      ...outcome(
        "downgrade",
        field,
        true,
        expected,
        release.version,
        `${what}: downgrade allowed by the rollback policy of ${mark.releaseId} and --allow-downgrade`,
      ),
      overridden: true,
    };
  const why = impostor
    ? "a different release under a proven version is never allowed"
    : mark.allowDowngrade
      ? "pass --allow-downgrade to roll back on purpose"
      : `the rollback policy of ${mark.releaseId} does not allow downgrades`;
  return outcome("downgrade", field, false, expected, release.version, `${what}; ${why}`);
}

/**
 * The release rules evaluateRelease applies, in its order, with the field each implements: a
 * report lists every one of them, judged or not (a drill whose evidence is broken never gets to
 * the policy).
 */
export const RELEASE_RULES: readonly { readonly rule: PolicyRule; readonly field: string }[] = [
  { rule: "versionFloor", field: "/releases/versionFloor" },
  { rule: "allowedIds", field: "/releases/allowedIds" },
  { rule: "deniedIds", field: "/releases/deniedIds" },
  { rule: "maxAge", field: "/releases/maxAge" },
  { rule: "downgrade", field: "/releases/allowDowngrade" },
];

/** Every release rule, in the order the policy lists them. */
export function evaluateRelease(
  policy: RollbackPolicy,
  release: ReleaseFacts,
  context: ReleaseContext,
): RuleOutcome[] {
  return [
    checkVersionFloor(policy, release),
    checkAllowedIds(policy, release),
    checkDeniedIds(policy, release),
    checkMaxAge(policy, release, context.now),
    checkDowngrade(policy, release, context),
  ];
}

/** /objectives/rto and /objectives/rpo: what a drill saw against the policy's targets. */
export function checkObjective(
  policy: RollbackPolicy,
  name: "rto" | "rpo",
  seenSeconds: number | null,
): RuleOutcome {
  const target = policy.objectives[name];
  const limit = parseDuration(target);
  const passed = seenSeconds !== null && limit !== null && seenSeconds * 1000 <= limit;
  return outcome(
    name,
    `/objectives/${name}`,
    passed,
    `at most ${target}`,
    seenSeconds === null ? "not measured" : formatDuration(seenSeconds * 1000),
    seenSeconds === null
      ? `the drill did not measure its ${name.toUpperCase()}`
      : `${name.toUpperCase()} ${formatDuration(seenSeconds * 1000)} against the target ${target}`,
  );
}

/** /drills/every: the last proven drill must be at most this old. */
export function checkDrillSchedule(
  policy: RollbackPolicy,
  finishedAt: Date | null,
  now: Date,
): RuleOutcome {
  const every = policy.drills.every;
  const limit = parseDuration(every);
  const age = finishedAt === null ? null : now.getTime() - finishedAt.getTime();
  const passed = age !== null && limit !== null && age <= limit;
  return outcome(
    "drillSchedule",
    "/drills/every",
    passed,
    `a proven drill within ${every}`,
    age === null ? "none" : `${formatDuration(Math.max(age, 0))} ago`,
    age === null
      ? "no proven drill was found"
      : `the last proven drill finished ${formatDuration(Math.max(age, 0))} ago; the policy asks for one every ${every}`,
  );
}

/** One rollback_forbidden finding per failed release rule, naming the rule and its field. */
export function rollbackForbidden(
  outcomes: readonly RuleOutcome[],
  policyFile: string,
): ClassifiedFinding[] {
  return outcomes
    .filter((o) => !o.passed)
    .map((o) =>
      createFinding("rollback_forbidden", {
        subject: `${policyFile}#${o.field}`,
        expected: o.expected,
        actual: o.actual,
        message: `the rollback policy forbids this release (${o.rule}): ${o.message}`,
        ...(o.rule === "downgrade"
          ? {
              hint: "Restore the newest proven release (the high-water mark names it) or a newer one. A deliberate rollback needs that release's policy to allow downgrades, and --allow-downgrade.",
            }
          : {}),
      }),
    );
}
