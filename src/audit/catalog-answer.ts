// Question 2 (pure): how is catalog integrity preserved or rebuilt? The packet names the catalog
// and seals its digest into the release identity; the catalog covers every dataset of the
// release (packet.datasets against their catalog entries and the manifest); a `catalog` probe
// checks it on the recovered service.
import type { Manifest, Packet, Probe } from "../documents/types.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import { digestsEqual, shortDigest } from "../identity/digest.js";
import { createAnswer, createGap, listSome, type Answer, type Gap } from "./answer.js";

export type CatalogAnswerInput = {
  readonly manifest: Manifest;
  readonly packet: Packet;
  /** evidence_chain_broken findings: a catalog sealed into a broken chain proves nothing. */
  readonly chainFindings: readonly ClassifiedFinding[];
};

export function describeProbe(probe: Probe): string {
  const target =
    probe.type === "sql"
      ? `SQL on ${probe.dataset ?? "?"}`
      : `${probe.method ?? "GET"} ${probe.path ?? "?"}`;
  return `"${probe.name}" (${probe.type}, ${target})`;
}

const ROLE_WORDS = {
  durable: "durable: restored from the backup and verified byte for byte against the sealed digest",
  reconstructable:
    "reconstructable: it may be rebuilt after a restore, and the catalog probe checks the rebuilt one",
  disposable: "disposable: nothing restores or rebuilds it",
} as const;

/** The catalog file itself: named by the packet, in the manifest with the same digest, kept. */
function catalogFile(input: CatalogAnswerInput, facts: string[], gaps: Gap[]): void {
  const ref = input.packet.catalog;
  if (ref === undefined) {
    // A store without a catalog: its datasets are the manifest's databases, sealed by digest.
    facts.push(
      `The release names no catalog: its datasets are the manifest's SQLite databases and PostgreSQL dumps, each sealed by digest into the release identity and verified byte for byte on restore.`,
    );
    return;
  }
  const artifact = input.manifest.artifacts.find((a) => a.path === ref.path);
  facts.push(
    `The release names its catalog ${ref.path} (${shortDigest(ref.digest)}), sealed into the release identity.`,
  );
  if (artifact === undefined || !digestsEqual(artifact.digest, ref.digest)) {
    gaps.push(
      createGap("missing", "catalog_incomplete", {
        subject: ref.path,
        expected: `in the manifest with sha256 ${ref.digest.sha256}`,
        actual: artifact === undefined ? "not in the manifest" : artifact.digest.sha256,
        message: `${ref.path}: the packet's catalog is ${artifact === undefined ? "not in the manifest" : "in the manifest with another digest"}, so a restore cannot verify it`,
        hint: "Re-seal the release with `recoverable seal` so the packet and the manifest agree.",
      }),
    );
    return;
  }
  facts.push(`${ref.path} is ${ROLE_WORDS[artifact.role]}.`);
  if (artifact.role === "disposable")
    gaps.push(
      createGap("missing", "catalog_incomplete", {
        subject: ref.path,
        expected: "durable or reconstructable",
        actual: "disposable",
        message: `${ref.path}: the catalog is disposable, so a restore neither requires nor rebuilds it`,
        hint: 'Give the catalog the durable role (the drill config\'s "roles") and re-seal the release.',
      }),
    );
}

/** Every dataset has its catalog entry, and every durable SQLite file is a dataset. */
function coverage(input: CatalogAnswerInput, facts: string[], gaps: Gap[]): void {
  const { packet, manifest } = input;
  if (packet.datasets.length === 0) {
    gaps.push(
      createGap("missing", "catalog_incomplete", {
        subject: "datasets",
        expected: "at least one dataset",
        actual: "none",
        message:
          "the release lists no datasets, so there is nothing the catalog can be checked against",
        hint: 'List the datasets in the catalog\'s "datasets" array ({name, path}) and re-seal the release.',
      }),
    );
  }
  const covered: string[] = [];
  const catalogued = packet.catalog !== undefined;
  for (const dataset of packet.datasets) {
    const entry = dataset.catalogEntry;
    const artifact = manifest.artifacts.find((a) => a.path === dataset.path);
    const problem =
      catalogued && (entry["name"] !== dataset.name || entry["path"] !== dataset.path)
        ? `has no catalog entry naming it (name ${JSON.stringify(entry["name"] ?? null)}, path ${JSON.stringify(entry["path"] ?? null)})`
        : artifact === undefined
          ? `names ${dataset.path}, which the manifest does not list`
          : !digestsEqual(artifact.digest, dataset.digest)
            ? `names ${dataset.path} with another digest than the manifest`
            : artifact.role === "disposable"
              ? `is ${dataset.path}, a disposable artifact that no restore brings back`
              : null;
    if (problem === null) covered.push(dataset.name);
    else
      gaps.push(
        createGap("missing", "catalog_incomplete", {
          subject: `dataset:${dataset.name}`,
          message: `dataset ${dataset.name} ${problem}`,
          hint: "List the dataset in the catalog with its name and path, and re-seal the release.",
        }),
      );
  }
  if (covered.length > 0)
    facts.push(
      catalogued
        ? `The catalog covers ${covered.length} of ${packet.datasets.length} datasets of the release: ${listSome(covered)}.`
        : `The manifest holds ${covered.length} of ${packet.datasets.length} datasets of the release as restored, verified artifacts: ${listSome(covered)}.`,
    );
  const datasetPaths = new Set(packet.datasets.map((d) => d.path));
  for (const artifact of manifest.artifacts) {
    if (
      (artifact.kind !== "sqlite" && artifact.kind !== "pgdump") ||
      artifact.role !== "durable" ||
      datasetPaths.has(artifact.path)
    )
      continue;
    gaps.push(
      createGap("missing", "catalog_incomplete", {
        subject: artifact.path,
        expected: "a dataset entry in the catalog",
        actual: "none",
        message: `${artifact.path}: a durable ${artifact.kind === "pgdump" ? "PostgreSQL dump" : "SQLite database"} that the catalog does not list, so the service may never expose it and no probe is tied to it`,
        hint: "Add it to the catalog's datasets (or give it another role) and re-seal the release.",
      }),
    );
  }
}

export function answerCatalog(input: CatalogAnswerInput): Answer {
  const facts: string[] = [];
  const gaps: Gap[] = [];
  catalogFile(input, facts, gaps);
  coverage(input, facts, gaps);
  const probes = input.packet.probes.filter((p) => p.type === "catalog");
  if (input.packet.catalog === undefined)
    facts.push(
      "No catalog probe is needed: without a catalog, the datasets are checked by the restore's digests and by their query probes (question 3).",
    );
  else if (probes.length > 0)
    facts.push(
      `After a restore, ${listSome(probes.map(describeProbe))} checks that the service exposes exactly the catalog of the release.`,
    );
  else
    gaps.push(
      createGap("missing", "audit_gap", {
        subject: "probe:catalog",
        expected: "a probe of type catalog",
        actual: "none",
        message:
          "no catalog probe is defined, so no drill checks that the recovered service exposes the release's catalog",
        hint: 'Add a probe {"name": "catalog", "type": "catalog", "path": "/catalog"} to the drill config and re-seal the release (probes live in the packet).',
      }),
    );
  if (input.chainFindings.length === 0)
    facts.push("The evidence chain holds: manifest -> packet -> provenance.");
  for (const finding of input.chainFindings) gaps.push({ kind: "missing", finding });
  return createAnswer("catalog", facts, gaps);
}
