// The release packet from the sealed manifest (pure): it names the manifest's and the
// policy's digests, the datasets with their catalog entries, the runtime config and the probes.
// It sees of the manifest only what it can name: the databases and the artifacts looked up.
import type { Artifact, DatasetEntry, Packet, Probe, StoreFileRef } from "../documents/types.js";
import { catalogFreeDatasets } from "./dataset-names.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import type { DigestSet } from "../identity/digest.js";

/** What the packet can name of an artifact. */
export type ArtifactRef = Pick<Artifact, "path" | "kind" | "digest">;

/** The manifest as the packet sees it. */
export type SealedArtifacts = {
  /** Every SQLite and pg_dump artifact, in the manifest's order. */
  readonly databases: readonly ArtifactRef[];
  /** The artifact at a path, for the paths the packet names (catalog, runtime config, datasets). */
  readonly at: (path: string) => ArtifactRef | undefined;
};

export type PacketInput = {
  readonly releaseId: string;
  readonly releaseVersion: string;
  readonly createdAt: string;
  readonly artifacts: SealedArtifacts;
  readonly manifestDigest: DigestSet;
  readonly rollbackPolicyDigest: DigestSet;
  /** The catalog's path in the store and its parsed content, when the store has one. */
  readonly catalog: { readonly path: string; readonly value: unknown } | null;
  readonly runtimeConfigPath: string | null;
  readonly probes: readonly Probe[];
};

function fileRef(artifacts: SealedArtifacts, path: string, what: string): Checked<StoreFileRef> {
  const artifact = artifacts.at(path);
  if (artifact && artifact.kind !== "dir") return ok({ path, digest: artifact.digest });
  return failed(
    createFinding("artifact_missing", {
      subject: path,
      expected: what,
      actual: "absent",
      message: `${path}: the ${what} named by the drill config is not in the store root`,
      failureClass: "unusable_input",
    }),
  );
}

/**
 * Datasets from the catalog's `datasets: [{name, path, ...}]`, or every SQLite and pg_dump
 * artifact, named as ./dataset-names.ts says.
 */
function datasetsOf(input: PacketInput): {
  datasets: DatasetEntry[];
  findings: ClassifiedFinding[];
} {
  const { artifacts, catalog } = input;
  if (catalog === null) return catalogFreeDatasets(artifacts.databases);
  const { value } = catalog;
  const entries =
    value !== null && typeof value === "object"
      ? (value as { datasets?: unknown }).datasets
      : undefined;
  if (!Array.isArray(entries)) {
    return {
      datasets: [],
      findings: [
        createFinding("catalog_incomplete", {
          subject: `${catalog.path}#/datasets`,
          expected: "an array of {name, path} dataset entries",
          actual: entries === undefined ? "absent" : typeof entries,
          message: `${catalog.path}: the catalog has no datasets array, so no dataset can be tied to the release`,
          failureClass: "unusable_input",
        }),
      ],
    };
  }
  const datasets: DatasetEntry[] = [];
  const findings: ClassifiedFinding[] = [];
  entries.forEach((entry: unknown, index) => {
    const { name, path } = (entry ?? {}) as { name?: unknown; path?: unknown };
    const artifact = typeof path === "string" ? artifacts.at(path) : undefined;
    if (
      typeof name !== "string" ||
      typeof path !== "string" ||
      artifact === undefined ||
      artifact.kind === "dir"
    ) {
      findings.push(
        createFinding("catalog_incomplete", {
          subject: `${catalog.path}#/datasets/${index}`,
          expected: "a name and the path of a dataset file in the store",
          actual: JSON.stringify({ name, path }),
          message: `${catalog.path}: dataset entry ${index} does not name a file of the store root`,
          failureClass: "unusable_input",
        }),
      );
      return;
    }
    if (datasets.some((d) => d.name === name)) {
      findings.push(
        createFinding("dataset_name_collision", {
          subject: `${catalog.path}#/datasets/${index}`,
          expected: "one entry per dataset name",
          actual: JSON.stringify(name),
          message: `${catalog.path}: dataset entry ${index} names ${JSON.stringify(name)}, as an earlier entry does`,
        }),
      );
      return;
    }
    datasets.push({
      name,
      path,
      digest: artifact.digest,
      catalogEntry: entry as Record<string, unknown>,
    });
  });
  return { datasets, findings };
}

export function buildPacket(input: PacketInput): { packet: Packet; findings: ClassifiedFinding[] } {
  const findings: ClassifiedFinding[] = [];
  const { datasets, findings: datasetFindings } = datasetsOf(input);
  findings.push(...datasetFindings);
  const refs: { catalog?: StoreFileRef; runtimeConfig?: StoreFileRef } = {};
  if (input.catalog) {
    const ref = fileRef(input.artifacts, input.catalog.path, "catalog");
    if (ref.ok) refs.catalog = ref.value;
    else findings.push(...ref.findings);
  }
  if (input.runtimeConfigPath) {
    const ref = fileRef(input.artifacts, input.runtimeConfigPath, "runtime config");
    if (ref.ok) refs.runtimeConfig = ref.value;
    else findings.push(...ref.findings);
  }
  const packet: Packet = {
    schemaVersion: 1,
    release: { id: input.releaseId, version: input.releaseVersion, createdAt: input.createdAt },
    manifest: { digest: input.manifestDigest },
    rollbackPolicy: { digest: input.rollbackPolicyDigest },
    ...refs,
    datasets,
    probes: input.probes,
  };
  return { packet, findings };
}
