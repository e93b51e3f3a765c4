// verify, run as a user runs it, on a store built at run time; each negative case changes
// exactly one thing and asserts the exact finding code and exit code.
import {
  appendFileSync,
  readFileSync,
  rmSync,
  writeFileSync,
  symlinkSync,
  openSync,
  writeSync,
  closeSync,
  mkdirSync,
} from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createFixtureStore, type FixtureStore } from "./helpers/fixture-store.js";
import { runCLI } from "./helpers/cli.js";

let fixture: FixtureStore;
beforeEach(async () => {
  fixture = await createFixtureStore();
});

const verifyJSON = (...extra: string[]) =>
  runCLI(["verify", "--json", ...extra], { cwd: fixture.dir });

function flipByte(path: string, offset?: number): void {
  const bytes = readFileSync(path);
  const at = offset ?? Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  writeFileSync(path, bytes);
}

/** The i-th artifact of a manifest being edited. */
function artifactOf(manifest: Record<string, unknown>, index: number): Record<string, unknown> {
  const artifact = (manifest["artifacts"] as Record<string, unknown>[])[index];
  if (artifact === undefined) throw new Error(`no artifact ${index}`);
  return artifact;
}

function editJSON(path: string, edit: (value: Record<string, unknown>) => void): void {
  const value = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  edit(value);
  writeFileSync(path, JSON.stringify(value, null, 2));
}

describe("verify on an intact sealed store", () => {
  it("is proven with exit 0, names the release, and checks every role", () => {
    const run = verifyJSON();
    expect(run.code).toBe(0);
    const result = run.json();
    expect(result).toMatchObject({
      verb: "verify",
      verdict: "proven",
      exitCode: 0,
      releaseId: "fixture-1.2.3",
    });
    expect(result.releaseIdentity?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.findings).toEqual([]);
    expect(result["checked"]).toMatchObject({
      byRole: { durable: 6, reconstructable: 2, disposable: 2 },
    });
  });

  it("prints only one JSON object on stdout with --json", () => {
    const run = verifyJSON();
    expect(() => run.json()).not.toThrow();
    expect(run.stdout.trim().startsWith("{")).toBe(true);
  });

  it("logs one line per long stage on stderr in CI, nothing with --json or --no-progress", () => {
    const env = { CI: "true" };
    const human = runCLI(["verify"], { cwd: fixture.dir, env });
    expect(human.stderr).toMatch(/^check store: \d+ files, [\d.]+ (B|KiB|MiB) in [\d.]+ s/m);
    expect(human.stdout).not.toContain("check store:");
    expect(runCLI(["verify", "--json"], { cwd: fixture.dir, env }).stderr).toBe("");
    expect(runCLI(["verify", "--no-progress"], { cwd: fixture.dir, env }).stderr).toBe("");
  });

  it("says PROVEN and the release identity in the human summary", () => {
    const run = runCLI(["verify"], { cwd: fixture.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /PROVEN\s+recoverable verify release fixture-1\.2\.3 sha256:[0-9a-f]{64}/,
    );
  });
});

describe("verify, when one durable artifact's bytes do NOT match", () => {
  it.each(["datasets/places.sqlite", "catalog.json", "config/runtime.json", "README.txt"])(
    "returns artifact_hash_mismatch naming %s, exit 1",
    (path) => {
      flipByte(fixture.path(path));
      const run = verifyJSON();
      expect(run.code).toBe(1);
      expect(run.json()).toHaveFinding("artifact_hash_mismatch", path);
      expect(run.json().verdict).toBe("not_proven");
    },
  );

  it("returns artifact_size_mismatch when a durable file grew", () => {
    appendFileSync(fixture.path("README.txt"), "more");
    const run = verifyJSON();
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("artifact_size_mismatch", "README.txt");
  });

  it("reports json_artifact_invalid when a JSON artifact no longer parses", () => {
    writeFileSync(
      fixture.path("catalog.json"),
      readFileSync(fixture.path("catalog.json"), "utf8").replace("{", "["),
    );
    const run = verifyJSON();
    expect(run.json()).toHaveFinding("json_artifact_invalid", "catalog.json");
  });
});

describe("verify, by role, when an artifact is missing", () => {
  it("fails with artifact_missing for a durable artifact", () => {
    rmSync(fixture.path("datasets/places.sqlite"));
    const run = verifyJSON();
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("artifact_missing", "datasets/places.sqlite");
  });

  it("still passes, with a warning, for a reconstructable artifact", () => {
    rmSync(fixture.path("summaries/summary.json"));
    const run = verifyJSON();
    expect(run.code).toBe(0);
    const finding = run.json().findings.find((f) => f.code === "artifact_missing");
    expect(finding).toMatchObject({ severity: "warning", subject: "summaries/summary.json" });
  });

  it("still passes with no finding for a disposable artifact", () => {
    rmSync(fixture.path("cache"), { recursive: true });
    const run = verifyJSON();
    expect(run.code).toBe(0);
    expect(run.json().findings).toEqual([]);
  });

  it("never fails on a stale disposable cache", () => {
    writeFileSync(fixture.path("cache/query-cache.json"), "stale and not even JSON");
    writeFileSync(fixture.path("cache/new-entry.json"), "{}");
    const run = verifyJSON();
    expect(run.code).toBe(0);
  });

  it("fails when the store root itself is missing", () => {
    rmSync(fixture.store, { recursive: true });
    const run = verifyJSON();
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("artifact_missing");
  });
});

describe("verify on SQLite datasets", () => {
  it("returns sqlite_integrity_check_failed when a page is corrupted", () => {
    const path = fixture.path("datasets/places.sqlite");
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(1024, 0xa5), 0, 1024, 1024); // page 2 of a 1 KiB-page database
    closeSync(fd);
    const run = verifyJSON();
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("sqlite_integrity_check_failed", "datasets/places.sqlite");
  });

  it("returns sqlite_integrity_check_failed when the file is no longer a database", () => {
    const path = fixture.path("datasets/places.sqlite");
    const bytes = readFileSync(path);
    writeFileSync(path, Buffer.concat([Buffer.from("not a database!!"), bytes.subarray(16)]));
    const run = verifyJSON();
    expect(run.json()).toHaveFinding("sqlite_integrity_check_failed", "datasets/places.sqlite");
  });
});

describe("verify, when the evidence is changed", () => {
  it("returns evidence_chain_broken when a field of the packet is edited", () => {
    editJSON(join(fixture.ops, "release/packet/packet.json"), (packet) => {
      (packet["release"] as Record<string, unknown>)["version"] = "1.2.4";
    });
    const run = verifyJSON();
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding(
      "evidence_chain_broken",
      /provenance\.json#\/subject\/0\/digest$/,
    );
  });

  it("returns evidence_chain_broken when the manifest is edited after sealing", () => {
    editJSON(join(fixture.ops, "release/evidence/manifest.json"), (manifest) => {
      manifest["x-note"] = "edited";
    });
    const run = verifyJSON();
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("evidence_chain_broken", /packet\.json#\/manifest\/digest$/);
  });

  it("returns evidence_chain_broken when the rollback policy is edited after sealing", () => {
    editJSON(join(fixture.ops, "datasets/rollback-policy.json"), (policy) => {
      (policy["objectives"] as Record<string, string>)["rpo"] = "48h";
    });
    const run = verifyJSON();
    expect(run.json()).toHaveFinding(
      "evidence_chain_broken",
      /packet\.json#\/rollbackPolicy\/digest$/,
    );
  });

  it("is not changed by reformatting a document (identity is over RFC 8785)", () => {
    const path = join(fixture.ops, "release/packet/packet.json");
    writeFileSync(path, JSON.stringify(JSON.parse(readFileSync(path, "utf8"))));
    expect(verifyJSON().code).toBe(0);
  });

  it("gives exit 2 and names the JSON pointer for a schema-invalid document", () => {
    editJSON(join(fixture.ops, "release/evidence/manifest.json"), (manifest) => {
      artifactOf(manifest, 1)["role"] = "important";
    });
    const run = verifyJSON();
    expect(run.code).toBe(2);
    const result = run.json();
    expect(result.verdict).toBe("unusable_input");
    expect(result).toHaveFinding("document_invalid", /manifest\.json#\/artifacts\/1\/role$/);
  });

  it("names every schema error, not only the first", () => {
    editJSON(join(fixture.ops, "release/packet/packet.json"), (packet) => {
      delete packet["datasets"];
      packet["surprise"] = true;
    });
    const result = verifyJSON().json();
    expect(result).toHaveFinding("document_invalid", /packet\.json#\/datasets$/);
    expect(result).toHaveFinding("document_invalid", /packet\.json#\/surprise$/);
  });

  it("gives path_escapes_root (exit 2) for a manifest path ../../etc/passwd", () => {
    editJSON(join(fixture.ops, "release/evidence/manifest.json"), (manifest) => {
      artifactOf(manifest, 0)["path"] = "../../etc/passwd";
    });
    const run = verifyJSON();
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("path_escapes_root", /manifest\.json#\/artifacts\/0\/path$/);
  });

  it("gives path_escapes_root for an absolute manifest path", () => {
    editJSON(join(fixture.ops, "release/evidence/manifest.json"), (manifest) => {
      artifactOf(manifest, 0)["path"] = "/etc/passwd";
    });
    expect(verifyJSON().json()).toHaveFinding("path_escapes_root");
  });

  it("gives document_unreadable (exit 2) for a document that is not JSON", () => {
    writeFileSync(join(fixture.ops, "release/provenance.json"), "{ not json");
    const run = verifyJSON();
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("document_unreadable", /provenance\.json/);
  });

  it("gives document_unreadable for a duplicate key, naming line and column", () => {
    writeFileSync(
      join(fixture.ops, "release/provenance.json"),
      '{\n  "schemaVersion": 1,\n  "schemaVersion": 1\n}',
    );
    const run = verifyJSON();
    expect(run.code).toBe(2);
    const finding = run.json().findings[0];
    expect(finding).toMatchObject({ code: "document_unreadable" });
    expect(finding?.message).toMatch(/provenance\.json:3:3: .*duplicate key "schemaVersion"/);
  });

  it("gives document_unreadable for a missing document", () => {
    rmSync(join(fixture.ops, "release/packet/packet.json"));
    const run = verifyJSON();
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("document_unreadable", /packet\.json$/);
  });

  it("refuses a newer schemaVersion with a message that says to upgrade", () => {
    editJSON(join(fixture.ops, "release/provenance.json"), (p) => {
      p["schemaVersion"] = 2;
    });
    const finding = verifyJSON().json().findings[0];
    expect(finding).toMatchObject({ code: "document_invalid", expected: "1" });
    expect(finding?.message).toMatch(/upgrade recoverable/);
  });
});

describe("verify on stray and linked entries", () => {
  it("warns unexpected_artifact for an unlisted file, and fails with --strict", () => {
    writeFileSync(fixture.path("datasets/leftover.tmp"), "x");
    const run = verifyJSON();
    expect(run.code).toBe(0);
    expect(run.json().findings).toEqual([
      expect.objectContaining({
        code: "unexpected_artifact",
        severity: "warning",
        subject: "datasets/leftover.tmp",
      }),
    ]);
    const strict = verifyJSON("--strict");
    expect(strict.code).toBe(1);
  });

  it("refuses a durable artifact replaced by a symlink, with path_escapes_root", () => {
    rmSync(fixture.path("README.txt"));
    symlinkSync("/etc/hostname", fixture.path("README.txt"));
    const run = verifyJSON();
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("path_escapes_root", "README.txt");
  });

  it("never follows a directory symlink on the way to an artifact", () => {
    const real = join(fixture.dir, "elsewhere");
    mkdirSync(real);
    rmSync(fixture.path("config"), { recursive: true });
    symlinkSync(real, fixture.path("config"));
    const run = verifyJSON();
    expect(run.json()).toHaveFinding("path_escapes_root", "config/runtime.json");
  });
});

describe("verify flags", () => {
  it("gives exit 2 for an unknown flag, as one JSON result", () => {
    const run = verifyJSON("--no-such-flag");
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("usage_invalid");
  });

  it("gives exit 2 when a config named with -C does not exist", () => {
    const run = verifyJSON("-C", "missing.json");
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("document_unreadable", "missing.json");
  });

  it("takes --root and --ops instead of the config", () => {
    rmSync(join(fixture.ops, "drill.json"));
    const run = runCLI(["verify", "--json", "--root", "store", "--ops", "ops"], {
      cwd: fixture.dir,
    });
    expect(run.code).toBe(0);
  });
});
