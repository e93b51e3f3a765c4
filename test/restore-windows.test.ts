// restore and drill hold a manifest in the store walk's order as the file itself, read a window
// at a time, so their memory does not grow with its artifacts (issue 21); a manifest out of that
// order is held in compact columns instead. Either way a damaged, a missing and a stray file are
// found exactly as before.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { ArtifactTable } from "../src/documents/artifact-table.js";
import { ManifestWindows } from "../src/documents/artifact-windows.js";
import type { EvidenceFiles } from "../src/documents/identity-chain.js";
import { loadReleaseEvidence, tableOf } from "../src/documents/load-tabled-evidence.js";
import type { Manifest, Packet } from "../src/documents/types.js";
import { digestOfJSON } from "../src/identity/digest.js";
import { runCLI, type JSONResult } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";

const EVIDENCE = {
  manifest: "ops/release/evidence/manifest.json",
  packet: "ops/release/packet/packet.json",
  provenance: "ops/release/provenance.json",
  rollbackPolicy: "ops/datasets/rollback-policy.json",
};

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed read
const readJSON = <T>(path: string): T => JSON.parse(readFileSync(path, "utf8")) as T;
const writeJSON = (path: string, value: unknown) => {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
};

/**
 * The same release with its manifest's artifacts reversed (out of the walk's order), the packet
 * and the provenance chained to it again, in ops-reversed/ beside the example's evidence.
 */
function reversedEvidence(example: ExampleCopy): EvidenceFiles {
  const files = {
    ...EVIDENCE,
    manifest: "ops/release/evidence/manifest-reversed.json",
    packet: "ops/release/packet/packet-reversed.json",
    provenance: "ops/release/provenance-reversed.json",
  };
  const manifest = readJSON<Manifest>(example.path(EVIDENCE.manifest));
  const reversed: Manifest = { ...manifest, artifacts: [...manifest.artifacts].reverse() };
  writeJSON(example.path(files.manifest), reversed);
  const packet = readJSON<Packet>(example.path(EVIDENCE.packet));
  const rechained = { ...packet, manifest: { ...packet.manifest, digest: digestOfJSON(reversed) } };
  writeJSON(example.path(files.packet), rechained);
  const provenance = readJSON<{ subject: { digest: unknown }[] }>(
    example.path(EVIDENCE.provenance),
  );
  (provenance.subject[0] as { digest: unknown }).digest = digestOfJSON(rechained);
  writeJSON(example.path(files.provenance), provenance);
  return files;
}

const absolute = (example: ExampleCopy, files: EvidenceFiles): EvidenceFiles => ({
  manifest: example.path(files.manifest),
  packet: example.path(files.packet),
  provenance: example.path(files.provenance),
  rollbackPolicy: example.path(files.rollbackPolicy),
});

/** Every finding a run gave, as `code severity subject`, sorted (they come in manifest order). */
const summary = (json: JSONResult) =>
  json.findings.map((f) => `${f.code} ${f.severity} ${f.subject}`).sort();

let example: ExampleCopy;
let reversed: EvidenceFiles;

beforeAll(() => {
  example = copyExample();
  // A backup of the store with a durable file damaged, one missing and one the release never had.
  execFileSync("cp", ["-a", example.path("ops/store"), example.path("bad")]);
  const catalog = example.path("bad/catalog.json");
  writeFileSync(catalog, readFileSync(catalog, "utf8").replace("airports", "airpurts"));
  rmSync(example.path("bad/config/runtime.json"));
  writeFileSync(example.path("bad/stray.txt"), "not in the release\n");
  reversed = reversedEvidence(example);
}, 60_000);

const DAMAGE = [
  ["artifact_hash_mismatch", "catalog.json"],
  ["artifact_missing", "config/runtime.json"],
  ["unexpected_artifact", "stray.txt"],
] as const;

describe("the release's artifacts as restore and drill hold them", () => {
  it("are the manifest file read a window at a time when it is in the walk's order, else compact columns", async () => {
    const inOrder = await loadReleaseEvidence(absolute(example, EVIDENCE));
    const outOfOrder = await loadReleaseEvidence(absolute(example, reversed));
    if (!inOrder.ok || !outOfOrder.ok) throw new Error("the evidence did not load");
    expect(inOrder.artifacts).toBeInstanceOf(ManifestWindows);
    expect(outOfOrder.artifacts).toBeInstanceOf(ArtifactTable);
    expect([...inOrder.pgdumps]).toEqual(["datasets/gazetteer.pgdump"]);
    expect([...outOfOrder.pgdumps]).toEqual(["datasets/gazetteer.pgdump"]);
    // Asked for by path (--only, --shard, a tar source): columns, from the same first pass.
    const byPath = await loadReleaseEvidence(absolute(example, EVIDENCE), { table: true });
    if (!byPath.ok) throw new Error("the evidence did not load");
    const columns = byPath.artifacts;
    if (!(columns instanceof ArtifactTable)) throw new Error("not in columns");
    const table = await tableOf(inOrder.artifacts);
    expect(table.length).toBe(columns.length);
    expect(table.at(10)).toEqual(columns.at(10));
  });
});

/** The drill config's evidence set to `files`: restore and drill read it from there. */
function useEvidence(files: EvidenceFiles): void {
  example.editDrillConfig((config) => {
    config["evidence"] = files;
  });
}

describe("restore from dir: with a damaged backup", () => {
  const restoreWith = (evidence: EvidenceFiles, source: string, target: string) => {
    useEvidence(evidence);
    return runCLI(["restore", "--json", "--source", source, "--target", target], {
      cwd: example.dir,
    });
  };

  it("finds the damaged, missing and stray file from a manifest in the walk's order, and from one out of it", () => {
    const windowed = restoreWith(EVIDENCE, "dir:bad", "restored-windowed");
    expect(windowed.code, windowed.stdout).toBe(1);
    for (const [code, subject] of DAMAGE) expect(windowed.json()).toHaveFinding(code, subject);
    const tabled = restoreWith(reversed, "dir:bad", "restored-tabled");
    expect(tabled.code, tabled.stdout).toBe(1);
    expect(summary(tabled.json())).toEqual(summary(windowed.json()));
    expect(tabled.json()["checked"]).toEqual(windowed.json()["checked"]);
  });

  it("restores the intact store from a manifest in the walk's order, every artifact checked, exit 0", () => {
    const intact = restoreWith(EVIDENCE, "dir:ops/store", "restored-intact");
    expect(intact.code, intact.stdout).toBe(0);
    expect(intact.json()["checked"]).toMatchObject({ artifacts: 16 });
  });
});

describe("drill --source dir: with a damaged backup", () => {
  it("fails the same store checks from a manifest in the walk's order as from one out of it", () => {
    const drillWith = (evidence: EvidenceFiles, out: string) => {
      useEvidence(evidence);
      return runCLI(["drill", "--json", "--source", "dir:bad", "--out", out], {
        cwd: example.dir,
      });
    };
    const windowed = drillWith(EVIDENCE, "drill-windowed");
    expect(windowed.code, windowed.stdout).toBe(1);
    for (const [code, subject] of DAMAGE) expect(windowed.json()).toHaveFinding(code, subject);
    const tabled = drillWith(reversed, "drill-tabled");
    expect(tabled.code, tabled.stdout).toBe(1);
    expect(summary(tabled.json())).toEqual(summary(windowed.json()));
    const checksOf = (out: string) =>
      readJSON<{ checks: { kind: string; name: string; status: string }[] }>(
        example.path(`${out}/drill-report.json`),
      )
        .checks.filter((check) => check.kind === "store")
        .map((check) => `${check.status} ${check.name}`)
        .sort();
    expect(checksOf("drill-tabled")).toEqual(checksOf("drill-windowed"));
    expect(checksOf("drill-windowed")).toContain("failed catalog.json");
  });
});
