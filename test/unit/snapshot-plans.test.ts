// The pure planners of snapshot, snapshots prune, snapshots export and snapshots diff: their
// flag combinations, without a CLI or a repository.
import { describe, expect, it } from "vitest";
import { generateIdentity, identityToRecipient } from "age-encryption";
import type { SnapshotMetadata } from "../../src/documents/types.js";
import { compareTables } from "../../src/snapshots/compare-tables.js";
import { exportRecipients } from "../../src/snapshots/export-recipients.js";
import { checkFolderPruneFlags } from "../../src/snapshots/folder-prune-flags.js";
import { chooseRules, policyRetention } from "../../src/snapshots/prune-rules.js";
import { invalidAtCreation, notExportable } from "../../src/snapshots/snapshot-invalid.js";
import { MAX_LABEL, planSnapshot } from "../../src/snapshots/snapshot-plan.js";
import type { Checked } from "../../src/findings/checked.js";

function subjects<T>(checked: Checked<T>): string[] {
  return checked.ok ? [] : checked.findings.map((f) => `${f.code} ${f.subject}`);
}

describe("planSnapshot", () => {
  const config = { exclude: [], roles: [] };
  it("keeps the label, and leaves out nothing without excludes or disposable roles", () => {
    expect(planSnapshot({ label: "nightly", config })).toEqual({
      ok: true,
      value: { label: "nightly" },
    });
    expect(planSnapshot({ config })).toEqual({ ok: true, value: { label: null } });
  });

  it("leaves out the config's and the flags' excludes, and records the roles when one is disposable", () => {
    const roles = [{ pattern: "cache/**", role: "disposable" as const }];
    expect(
      planSnapshot({ exclude: ["*.log"], config: { exclude: ["tmp/**"], roles: [] } }),
    ).toEqual({
      ok: true,
      value: { label: null, omitted: { exclude: ["tmp/**", "*.log"], roles: [] } },
    });
    expect(planSnapshot({ config: { exclude: [], roles } })).toEqual({
      ok: true,
      value: { label: null, omitted: { exclude: [], roles } },
    });
  });

  it("refuses a label over 200 characters", () => {
    expect(subjects(planSnapshot({ label: "x".repeat(MAX_LABEL), config }))).toEqual([]);
    expect(subjects(planSnapshot({ label: "x".repeat(MAX_LABEL + 1), config }))).toEqual([
      "usage_invalid --label",
    ]);
  });
});

describe("chooseRules and policyRetention", () => {
  const policy = {
    retention: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 },
    file: "ops/policy.json",
  };
  it("takes the flags over the policy, the policy without flags, and neither is usage_invalid", () => {
    expect(chooseRules({ keepLast: 3 }, policy)).toEqual({ ok: true, value: { keepLast: 3 } });
    expect(chooseRules({}, policy)).toEqual({ ok: true, value: policy.retention });
    expect(subjects(chooseRules({}, null))).toEqual(["usage_invalid --keep-*"]);
  });

  it("names where unusable rules came from", () => {
    expect(subjects(chooseRules({ keepWithin: "soon" }, null))).toEqual(["usage_invalid --keep-*"]);
    const bad = { retention: { ...policy.retention, keepWithin: "soon" }, file: "ops/policy.json" };
    expect(subjects(chooseRules({}, bad))).toEqual(["usage_invalid ops/policy.json"]);
  });

  it("hands the policy's keepWithin on in whole hours, rounded up (restic's m is months)", () => {
    expect(
      policyRetention({ keepDaily: 1, keepWeekly: 0, keepMonthly: 0, keepWithin: "90m" }),
    ).toEqual({
      keepDaily: 1,
      keepWeekly: 0,
      keepMonthly: 0,
      keepWithin: "2h",
    });
    expect(
      policyRetention({ keepDaily: 1, keepWeekly: 0, keepMonthly: 0, keepWithin: "1y2m" }),
    ).toMatchObject({
      keepWithin: "1y2m",
    });
  });
});

describe("checkFolderPruneFlags", () => {
  it("plans a dry run unless --apply, the folder resolved", () => {
    expect(checkFolderPruneFlags({ dir: "b", glob: "*.tgz", cwd: "/w" })).toEqual({
      ok: true,
      value: { dir: "/w/b", glob: "*.tgz", datePattern: null, apply: false },
    });
    expect(
      checkFolderPruneFlags({
        dir: "/b",
        glob: "*",
        datePattern: "x_%Y%m%d",
        apply: true,
        cwd: "/w",
      }),
    ).toMatchObject({ ok: true, value: { datePattern: "x_%Y%m%d", apply: true } });
  });

  it("names every problem at once: no --glob, --apply with --dry-run, a pattern that dates nothing", () => {
    const flags = { dir: "b", apply: true, dryRun: true, datePattern: "backup_%Y", cwd: "/w" };
    expect(subjects(checkFolderPruneFlags(flags))).toEqual([
      "usage_invalid --glob",
      "usage_invalid --apply",
      "usage_invalid --date-pattern",
    ]);
  });
});

describe("exportRecipients", () => {
  it("takes age1 recipients and names each bad one", async () => {
    const recipient = await identityToRecipient(await generateIdentity());
    expect(exportRecipients([recipient])).toEqual({ ok: true, value: [recipient] });
    expect(exportRecipients([])).toEqual({ ok: true, value: [] });
    expect(subjects(exportRecipients(["nope", recipient, "age1xyz"]))).toEqual([
      "usage_invalid --encrypt-to",
      "usage_invalid --encrypt-to",
    ]);
  });
});

describe("invalidAtCreation and notExportable", () => {
  const snapshot = (
    status: "valid" | "invalid",
    findings: SnapshotMetadata["validation"]["findings"] = [],
  ) =>
    ({ id: "s1", validation: { status, checkedAt: "", findings } }) as unknown as SnapshotMetadata;

  it("says nothing of a valid snapshot", () => {
    expect(invalidAtCreation(snapshot("valid"))).toEqual([]);
    expect(notExportable(snapshot("valid"))).toEqual([]);
  });

  it("quotes the first error recorded, else the first finding of a snapshot without severities", () => {
    const recorded = [
      {
        code: "entry_not_snapshotted",
        severity: "warning" as const,
        subject: "p",
        message: "a pipe",
      },
      {
        code: "json_artifact_invalid",
        severity: "error" as const,
        subject: "c.json",
        message: "broken",
      },
    ];
    const [finding] = invalidAtCreation(snapshot("invalid", recorded));
    expect(finding).toMatchObject({
      code: "snapshot_invalid",
      subject: "s1",
      actual: "entry_not_snapshotted p; json_artifact_invalid c.json",
      message: "snapshot s1 failed validation when it was made: broken",
    });
    const old = [{ code: "json_artifact_invalid", subject: "c.json", message: "old broken" }];
    expect(invalidAtCreation(snapshot("invalid", old))[0]?.message).toContain("old broken");
    expect(invalidAtCreation(snapshot("invalid"))[0]?.message).toContain("see its metadata");
    expect(notExportable(snapshot("invalid"))[0]).toMatchObject({
      code: "snapshot_invalid",
      subject: "s1",
    });
  });
});

describe("compareTables", () => {
  it("lists tables added, dropped and changed by count or content, by name", () => {
    const before = [
      { name: "b", rows: 2, sha256: "x" },
      { name: "same", rows: 1, sha256: "s" },
      { name: "gone", rows: 4, sha256: "g" },
    ];
    const after = [
      { name: "b", rows: 2, sha256: "y" },
      { name: "same", rows: 1, sha256: "s" },
      { name: "a", rows: 3, sha256: "n" },
    ];
    expect(compareTables(before, after)).toEqual([
      { name: "a", rowsBefore: null, rowsAfter: 3, rowDelta: 3 },
      { name: "b", rowsBefore: 2, rowsAfter: 2, rowDelta: 0 },
      { name: "gone", rowsBefore: 4, rowsAfter: null, rowDelta: -4 },
    ]);
  });
});
