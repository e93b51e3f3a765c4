// Which snapshot `#<x>` names (src/snapshots/find-snapshot.ts): latest, an id, a unique prefix,
// else a label's newest valid snapshot; and why none, naming the labels there are.
import { describe, expect, it } from "vitest";
import type { SnapshotMetadata } from "../../src/documents/types.js";
import { createFinding } from "../../src/findings/finding.js";
import { findSnapshot } from "../../src/snapshots/find-snapshot.js";

function snap(id: string, label: string | null, valid = true): SnapshotMetadata {
  return {
    schemaVersion: 1,
    id,
    time: `${id.slice(0, 4)}-01-01T00:00:00.000Z`,
    label,
    host: "h",
    storeRoot: "/s",
    release: null,
    entries: [],
    totals: { files: 0, dirs: 0, bytes: 0 },
    validation: { status: valid ? "valid" : "invalid", checkedAt: "", findings: [] },
  };
}

// Newest first, as listSnapshots returns them.
const SNAPSHOTS = [
  snap("2030T-dddd", "golden", false),
  snap("2029T-cccc", "nightly"),
  snap("2028T-bbbb", "golden"),
  snap("2027T-aaaa", "golden"),
  snap("2026T-0000", "2027"),
];

const notFound = (reason: string) =>
  createFinding("snapshot_not_found", { subject: "x", message: reason });

function pick(wanted: string, snapshots: readonly SnapshotMetadata[] = SNAPSHOTS) {
  const found = findSnapshot(snapshots, wanted, notFound);
  return found.ok ? found.value : { reason: found.findings[0]?.message };
}

describe("findSnapshot", () => {
  it("finds latest (the newest valid), a full id and a unique prefix, saying only the id", () => {
    expect(pick("latest")).toMatchObject({
      snapshot: { id: "2029T-cccc" },
      resolved: "snapshot 2029T-cccc",
    });
    expect(pick("2028T-bbbb")).toMatchObject({ resolved: "snapshot 2028T-bbbb" });
    expect(pick("2030")).toMatchObject({ resolved: "snapshot 2030T-dddd" });
  });

  it("finds a label's newest valid snapshot, and says so", () => {
    expect(pick("golden")).toEqual({
      snapshot: SNAPSHOTS[2],
      resolved: 'snapshot 2028T-bbbb (the newest valid of 3 labelled "golden")',
    });
    expect(pick("nightly")).toMatchObject({
      resolved: 'snapshot 2029T-cccc (the one labelled "nightly")',
    });
  });

  it("takes the newest of a label when none of its snapshots validated", () => {
    const onlyInvalid = [snap("2031T-eeee", "bad", false), snap("2030T-dddd", "bad", false)];
    expect(pick("bad", onlyInvalid)).toMatchObject({
      snapshot: { id: "2031T-eeee" },
      resolved: 'snapshot 2031T-eeee (the newest (none validated) of 2 labelled "bad")',
    });
  });

  it("prefers a unique id prefix to a label that reads the same", () => {
    expect(pick("2027")).toMatchObject({ snapshot: { id: "2027T-aaaa" } });
  });

  it("says why there is none: no valid snapshot, an ambiguous prefix, an unknown name with the labels there are", () => {
    expect(pick("latest", [snap("2030T-dddd", null, false)])).toEqual({
      reason: "the repository holds no valid snapshot",
    });
    expect(pick("20")).toEqual({
      reason: "20 matches 5 snapshots (2030T-dddd, 2029T-cccc, 2028T-bbbb...): give more of the id",
    });
    expect(pick("phase4")).toEqual({
      reason:
        'no snapshot with the id or label phase4 in the repository (its labels: "golden", "nightly", "2027")',
    });
    expect(pick("x", [snap("2030T-dddd", null)])).toEqual({
      reason: "no snapshot with the id or label x in the repository (no snapshot has a label)",
    });
    const many = Array.from({ length: 12 }, (_, i) => snap(`20${10 + i}T-0000`, `l${i}`));
    expect(pick("x", many)).toMatchObject({ reason: expect.stringMatching(/"l9", and 2 more\)$/) });
  });
});
