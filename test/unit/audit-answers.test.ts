// The audit's first two answers without the CLI, from the committed example's evidence: where
// the authoritative backup is (reachable, fresh against the RPO, holding every durable
// artifact), and how the catalog's integrity is kept (named, sealed, covering every dataset,
// probed). Each gap is missing or stale, and missing wins.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ageMs,
  createAnswer,
  createGap,
  listSome,
  statusOf,
  toPublicAnswer,
} from "../../src/audit/answer.js";
import { answerBackup, type BackupAnswerInput } from "../../src/audit/backup-answer.js";
import { answerCatalog, describeProbe } from "../../src/audit/catalog-answer.js";
import type { BackupFacts } from "../../src/audit/inspect-backup.js";
import type { Manifest, Packet, RollbackPolicy } from "../../src/documents/types.js";
import { createFinding } from "../../src/findings/finding.js";

const read = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), "utf8"));
const manifest = read("ops/release/evidence/manifest.json") as Manifest;
const packet = read("ops/release/packet/packet.json") as Packet;
const policy = read("ops/datasets/rollback-policy.json") as RollbackPolicy;
const IDENTITY = { sha256: "5".repeat(64) };
const NOW = new Date("2026-12-01T12:00:00Z");
const DURABLE = manifest.artifacts.filter((a) => a.role === "durable").length;

function backup(change: Partial<BackupFacts> = {}): BackupFacts {
  return {
    name: "nightly",
    source: "snapshot:/backups/atlas#latest",
    scheme: "snapshot",
    authoritative: true,
    location: null,
    media: null,
    problem: null,
    backupTime: new Date("2026-12-01T02:00:00Z"),
    snapshot: {
      id: "20261201T020000Z",
      release: { id: "atlas-2026.11.1", version: "2026.11.1", identity: IDENTITY },
    },
    holdings: { checked: true, missing: [] },
    notes: [],
    ...change,
  };
}

const input = (backups: BackupFacts[]): BackupAnswerInput => ({
  backups,
  series: backups.map(() => ({ kind: "single" as const })),
  storeCopy: true,
  scenarios: { rows: [], gaps: [] },
  manifest,
  policy,
  releaseIdentity: IDENTITY,
  now: NOW,
});

describe("the answer's parts", () => {
  it("missing wins over stale, and no gap is answered", () => {
    const gap = (kind: "missing" | "stale") =>
      createGap(kind, "audit_gap", { subject: "s", message: "m" });
    expect(statusOf([])).toBe("answered");
    expect(statusOf([gap("stale")])).toBe("stale");
    expect(statusOf([gap("stale"), gap("missing")])).toBe("missing");
    // A gap is never a reason to call the input unusable: it is not proven.
    expect(gap("missing").finding.failureClass).toBe("not_proven");
  });

  it("shows each gap by code, subject, kind, message and hint", () => {
    const answer = createAnswer(
      "catalog",
      ["fact"],
      [createGap("stale", "backup_too_old", { subject: "b", message: "old", hint: "do it" })],
    );
    expect(toPublicAnswer(answer)).toEqual({
      id: "catalog",
      question: "How is catalog integrity preserved or rebuilt?",
      status: "stale",
      facts: ["fact"],
      gaps: [
        { code: "backup_too_old", subject: "b", kind: "stale", message: "old", hint: "do it" },
      ],
    });
  });

  it("lists five items and counts the rest; an age is never negative", () => {
    expect(listSome(["a", "b"])).toBe("a, b");
    expect(listSome(["1", "2", "3", "4", "5", "6", "7"])).toBe("1, 2, 3, 4, 5 and 2 more");
    expect(ageMs(new Date(NOW.getTime() + 5000), NOW)).toBe(0);
    expect(ageMs(new Date(NOW.getTime() - 5000), NOW)).toBe(5000);
  });
});

describe("answerBackup", () => {
  it("answers with the authoritative backup, fresh and holding every durable artifact", () => {
    const answer = answerBackup(input([backup()]));
    expect(answer.status).toBe("answered");
    expect(answer.facts).toEqual([
      'The authoritative backup is "nightly" (snapshot:/backups/atlas#latest).',
      '"nightly" (snapshot:/backups/atlas#latest), the authoritative backup: reachable, taken 2026-12-01T02:00:00.000Z (10h ago); snapshot 20261201T020000Z, holding this release (atlas-2026.11.1)',
      'Newest valid backup: "nightly" (snapshot:/backups/atlas#latest), 10h old; the RPO target is 24h (within it).',
      `"nightly" (snapshot:/backups/atlas#latest) holds all ${DURABLE} durable artifacts of the release`,
    ]);
  });

  it("with none configured, says so as a missing gap", () => {
    const answer = answerBackup(input([]));
    expect(answer.status).toBe("missing");
    expect(answer.gaps.map((g) => g.finding.code)).toEqual(["audit_gap"]);
  });

  it("a backup older than the RPO target is a stale gap; one that cannot be reached is missing", () => {
    const old = answerBackup(input([backup({ backupTime: new Date("2026-11-29T12:00:00Z") })]));
    expect(old.status).toBe("stale");
    expect(old.gaps[0]?.finding).toMatchObject({ code: "backup_too_old", actual: "2d" });
    expect(old.facts).toContain(
      'Newest valid backup: "nightly" (snapshot:/backups/atlas#latest), 2d old; the RPO target is 24h (OVER it).',
    );
    const gone = answerBackup(
      input([
        backup({ problem: "ENOENT", backupTime: null, notes: ["skipped 1 invalid snapshot"] }),
      ]),
    );
    expect(gone.status).toBe("missing");
    expect(gone.gaps.map((g) => g.finding.code)).toEqual(["source_unreadable"]);
    expect(gone.gaps[0]?.finding.message).toBe(
      'backup "nightly" (snapshot:/backups/atlas#latest), the authoritative one, cannot be reached: ENOENT',
    );
    expect(gone.facts).toContain("Newest valid backup: none can be reached.");
    expect(gone.facts).toContain(
      '"nightly" (snapshot:/backups/atlas#latest): skipped 1 invalid snapshot',
    );
  });

  it("names an artifact no checked backup holds, with why, and the backups it could not check", () => {
    const lacking = backup({
      holdings: {
        checked: true,
        missing: [{ path: "datasets/cities.sqlite", why: "other bytes" }],
      },
    });
    const tar = backup({
      name: "weekly",
      source: "tar:/b/w.tar",
      scheme: "tar",
      authoritative: false,
      snapshot: null,
      backupTime: new Date("2026-11-30T12:00:00Z"),
      holdings: { checked: false, reason: "cannot be checked without restoring" },
    });
    const answer = answerBackup(input([lacking, tar]));
    expect(answer.status).toBe("missing");
    const [gap] = answer.gaps;
    expect(gap?.finding).toMatchObject({
      code: "backup_incomplete",
      subject: "datasets/cities.sqlite",
      actual: "nightly: other bytes",
    });
    expect(gap?.finding.message).toMatch(
      /\(nightly: other bytes\) \("weekly" \(tar:\/b\/w\.tar\) cannot be checked without restoring: drill from it to prove otherwise\)$/,
    );
    expect(answer.facts).toContain(
      `"nightly" (snapshot:/backups/atlas#latest) lacks 1 of ${DURABLE} durable artifacts: datasets/cities.sqlite (other bytes)`,
    );
    expect(answer.facts).toContain(
      '"weekly" (tar:/b/w.tar): durable artifacts cannot be checked without restoring',
    );
    // The newest of the reachable backups is judged against the RPO.
    expect(answer.facts.find((f) => f.startsWith("Newest"))).toMatch(
      /^Newest valid backup: "nightly"/,
    );
  });

  it("says what a snapshot holds when it is not this release", () => {
    const other = backup({
      authoritative: false,
      snapshot: {
        id: "s1",
        release: {
          id: "atlas-2026.10.0",
          version: "2026.10.0",
          identity: { sha256: "0".repeat(64) },
        },
      },
    });
    const none = backup({ name: "raw", snapshot: { id: "s2", release: null } });
    const facts = answerBackup(input([other, none])).facts;
    expect(facts[0]).toBe('The authoritative backup is "raw" (snapshot:/backups/atlas#latest).');
    expect(
      facts.some((f) => f.endsWith("snapshot s1, holding another release (atlas-2026.10.0)")),
    ).toBe(true);
    expect(facts.some((f) => f.endsWith("snapshot s2, holding no sealed release"))).toBe(true);
  });
});

describe("answerCatalog", () => {
  it("answers for the committed example: named, sealed, durable, covering every dataset, probed", () => {
    const answer = answerCatalog({ manifest, packet, chainFindings: [] });
    expect(answer.status).toBe("answered");
    expect(answer.facts).toEqual([
      "The release names its catalog catalog.json (sha256:e2b44e5f0184), sealed into the release identity.",
      "catalog.json is durable: restored from the backup and verified byte for byte against the sealed digest.",
      "The catalog covers 4 of 4 datasets of the release: cities, airports, weather-normals, gazetteer.",
      'After a restore, "catalog" (catalog, GET /catalog) checks that the service exposes exactly the catalog of the release.',
      "The evidence chain holds: manifest -> packet -> provenance.",
    ]);
  });

  it("without a catalog, datasets or a catalog probe, each is a missing gap", () => {
    const bare: Packet = {
      ...packet,
      catalog: undefined,
      datasets: [],
      probes: [],
    } as unknown as Packet;
    const answer = answerCatalog({ manifest, packet: bare, chainFindings: [] });
    expect(answer.status).toBe("missing");
    // No catalog is no gap of its own (question 2 is answered from the manifest's datasets);
    // a release that lists no dataset either leaves every durable database uncovered.
    expect(answer.gaps.map((g) => [g.finding.code, g.finding.subject])).toEqual([
      ["catalog_incomplete", "datasets"],
      ...manifest.artifacts
        .filter((a) => (a.kind === "sqlite" || a.kind === "pgdump") && a.role === "durable")
        .map((a) => ["catalog_incomplete", a.path]),
    ]);
  });

  it("finds a catalog the manifest does not have, or has with other bytes, or keeps as disposable", () => {
    const elsewhere = {
      ...packet,
      catalog: { path: "other.json", digest: packet.catalog?.digest },
    } as Packet;
    expect(
      answerCatalog({ manifest, packet: elsewhere, chainFindings: [] }).gaps[0]?.finding.message,
    ).toBe(
      "other.json: the packet's catalog is not in the manifest, so a restore cannot verify it",
    );
    const changed = {
      ...packet,
      catalog: { path: "catalog.json", digest: { sha256: "0".repeat(64) } },
    } as Packet;
    expect(
      answerCatalog({ manifest, packet: changed, chainFindings: [] }).gaps[0]?.finding.actual,
    ).toBe(manifest.artifacts.find((a) => a.path === "catalog.json")?.digest.sha256);
    const disposable = {
      ...manifest,
      artifacts: manifest.artifacts.map((a) =>
        a.path === "catalog.json" ? { ...a, role: "disposable" as const } : a,
      ),
    };
    const answer = answerCatalog({ manifest: disposable, packet, chainFindings: [] });
    expect(answer.facts).toContain("catalog.json is disposable: nothing restores or rebuilds it.");
    expect(answer.gaps.map((g) => g.finding.actual)).toEqual(["disposable"]);
  });

  it("names a dataset without its catalog entry, or whose file the manifest lacks or holds otherwise", () => {
    const [first, second, third, ...rest] = packet.datasets;
    if (first === undefined || second === undefined || third === undefined)
      throw new Error("the example has datasets");
    const broken = {
      ...packet,
      datasets: [
        { ...first, catalogEntry: { ...first.catalogEntry, name: "towns" } },
        {
          ...second,
          path: "datasets/gone.sqlite",
          catalogEntry: { ...second.catalogEntry, path: "datasets/gone.sqlite" },
        },
        { ...third, digest: { sha256: "0".repeat(64) } },
        ...rest,
      ],
    } as Packet;
    const messages = answerCatalog({ manifest, packet: broken, chainFindings: [] }).gaps.map(
      (g) => g.finding.message,
    );
    expect(messages).toContain(
      'dataset cities has no catalog entry naming it (name "towns", path "datasets/cities.sqlite")',
    );
    expect(messages).toContain(
      "dataset airports names datasets/gone.sqlite, which the manifest does not list",
    );
    expect(messages).toContain(
      "dataset weather-normals names datasets/weather-normals.sqlite with another digest than the manifest",
    );
  });

  it("a broken evidence chain is a missing gap of its own", () => {
    const chain = createFinding("evidence_chain_broken", { subject: "packet", message: "broken" });
    const answer = answerCatalog({ manifest, packet, chainFindings: [chain] });
    expect(answer.gaps.map((g) => g.finding)).toEqual([chain]);
    expect(answer.facts).not.toContain(
      "The evidence chain holds: manifest -> packet -> provenance.",
    );
  });

  it("describes probes by type and target", () => {
    expect(describeProbe({ name: "n", type: "sql", dataset: "gazetteer" } as never)).toBe(
      '"n" (sql, SQL on gazetteer)',
    );
    expect(describeProbe({ name: "h", type: "http", method: "POST", path: "/q" } as never)).toBe(
      '"h" (http, POST /q)',
    );
    expect(describeProbe({ name: "x", type: "http" } as never)).toBe('"x" (http, GET ?)');
  });
});
