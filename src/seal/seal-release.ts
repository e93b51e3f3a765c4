// seal's run: the manifest from the store itself, the packet tied to it, the provenance naming
// the release identity, each step refusing what the next would build on.
import { join } from "node:path";
import { checkDatasetReferences } from "../documents/dataset-references.js";
import type { DrillConfig } from "../documents/drill-config.js";
import { releaseIdentityOf } from "../documents/identity-chain.js";
import { readJSONDocument, type ReadResult } from "../documents/read-document.js";
import type { Packet, Provenance, RollbackPolicy } from "../documents/types.js";
import { failedWith, ok, type Checked } from "../findings/checked.js";
import { hasErrors, type ClassifiedFinding } from "../findings/finding.js";
import { digestOfJSON, type DigestSet } from "../identity/digest.js";
import { PostgresSession } from "../postgres/session.js";
import { entryTypeAt } from "../store/walk-store.js";
import { displayPath } from "../util/display-path.js";
import { buildManifest } from "./build-manifest.js";
import { buildPacket, type SealedArtifacts } from "./build-packet.js";
import { buildProvenance } from "./build-provenance.js";
import type { ManifestSummary } from "./manifest-summary.js";
import type { SealRules } from "./seal-rules.js";
import type { StagedManifest } from "./staged-manifest.js";

export type SealInput = {
  readonly releaseId: string;
  readonly releaseVersion: string;
  readonly root: string;
  readonly config: DrillConfig;
  readonly policy: RollbackPolicy;
  readonly rules: SealRules;
  /** When seal started, as written (RFC 3339). */
  readonly startedOn: string;
  /** SOURCE_DATE_EPOCH, or null. */
  readonly epoch: string | null;
  /** When seal finished, read at the end when SOURCE_DATE_EPOCH does not fix it. */
  readonly finishedOn: () => string;
  /** Where the manifest is written as it is built. */
  readonly manifest: StagedManifest;
};

export type SealedRelease = {
  readonly packet: Packet;
  readonly provenance: Provenance;
  readonly releaseIdentity: DigestSet;
  /** What the manifest build found short of an error (warnings). */
  readonly findings: readonly ClassifiedFinding[];
  /** The schema check of the manifest written (./manifest-summary.ts). */
  readonly manifestProblems: readonly ClassifiedFinding[];
};

type Catalog = { path: string; value: unknown };

/** Where the catalog is looked for: the config's, else catalog.json when the store has one. */
const catalogPathOf = (input: SealInput) => input.config.catalog ?? "catalog.json";

/**
 * The catalog, read before the store is walked so that the artifacts of the datasets it names
 * are kept as they stream by; only a regular file is read (the walk refuses anything else),
 * and what the read says counts only once the manifest lists the catalog.
 */
async function readCatalogEarly(input: SealInput): Promise<ReadResult | null> {
  const file = join(input.root, ...catalogPathOf(input).split("/"));
  return (await entryTypeAt(file)) === "file" ? readJSONDocument(file, "catalog") : null;
}

/**
 * The catalog the config names, when it cannot be read (absent, not JSON): said before a walk
 * that may take hours on a large store, not after it. Something there that is not a regular
 * file is left to the walk, which says what it is.
 */
async function unreadableNamedCatalog(
  input: SealInput,
  early: ReadResult | null,
): Promise<readonly ClassifiedFinding[] | null> {
  if (input.config.catalog === null) return null;
  if (early !== null) return early.ok ? null : early.findings;
  const file = join(input.root, ...input.config.catalog.split("/"));
  if ((await entryTypeAt(file)) !== null) return null;
  const read = await readJSONDocument(file, "catalog");
  return read.ok ? null : read.findings;
}

/** The paths whose artifacts the packet may name. */
function wantedPaths(input: SealInput, catalog: ReadResult | null): Set<string> {
  const wanted = new Set([catalogPathOf(input)]);
  if (input.config.runtimeConfig !== null) wanted.add(input.config.runtimeConfig);
  const value = catalog?.ok ? catalog.value : null;
  const entries =
    value !== null && typeof value === "object"
      ? (value as { datasets?: unknown }).datasets
      : undefined;
  if (Array.isArray(entries))
    for (const entry of entries as unknown[]) {
      const path = (entry as { path?: unknown } | null)?.path;
      if (typeof path === "string") wanted.add(path);
    }
  return wanted;
}

/**
 * The manifest, written to input.manifest as it is built: each pg_dump is restored into
 * PostgreSQL (a throwaway server unless postgres.url names one) to record its tables and
 * content digest.
 */
async function manifestOf(input: SealInput, wanted: ReadonlySet<string>): Promise<ManifestSummary> {
  const postgres = new PostgresSession(input.config.postgres, false);
  try {
    return await buildManifest(input.root, input.rules, postgres, input.manifest, wanted);
  } finally {
    await postgres.close();
  }
}

/** The catalog named by the config, else catalog.json when the store has one. */
async function catalogOf(
  input: SealInput,
  manifest: ManifestSummary,
  early: ReadResult | null,
): Promise<Checked<Catalog | null>> {
  const path = input.config.catalog ?? (manifest.named.has("catalog.json") ? "catalog.json" : null);
  if (path === null) return ok(null);
  const read = early ?? (await readJSONDocument(join(input.root, ...path.split("/")), "catalog"));
  return read.ok ? ok({ path, value: read.value }) : failedWith(read.findings);
}

/** The packet: the release, tied to the manifest, the policy, the catalog and the probes. */
function packetOf(
  input: SealInput,
  manifest: ManifestSummary,
  catalog: Catalog | null,
): Checked<Packet> {
  const artifacts = sealedArtifacts(manifest);
  const { packet, findings } = buildPacket({
    releaseId: input.releaseId,
    releaseVersion: input.releaseVersion,
    createdAt: input.startedOn,
    artifacts,
    manifestDigest: manifest.digest,
    rollbackPolicyDigest: digestOfJSON(input.policy),
    catalog,
    runtimeConfigPath: input.config.runtimeConfig,
    probes: input.config.probes,
  });
  if (hasErrors(findings)) return failedWith(findings);
  const { config } = input;
  const references = checkDatasetReferences({
    configName: config.file === null ? "drill config" : displayPath(config.file),
    probes: config.probes,
    service: config.service,
    datasets: packet.datasets,
    kindOf: (path) => artifacts.at(path)?.kind,
  });
  return references.length > 0 ? failedWith(references) : ok(packet);
}

/** What the packet can look up of the manifest: its databases and the artifacts kept by path. */
function sealedArtifacts(manifest: ManifestSummary): SealedArtifacts {
  const databases = new Map(manifest.databases.map((a) => [a.path, a]));
  return {
    databases: manifest.databases,
    at: (path) => manifest.named.get(path) ?? databases.get(path),
  };
}

/** The provenance: its subject is the release identity, its materials what decided it. */
function provenanceOf(
  input: SealInput,
  manifestDigest: DigestSet,
  releaseIdentity: DigestSet,
): Provenance {
  const { config } = input;
  return buildProvenance({
    releaseId: input.releaseId,
    releaseIdentity,
    parameters: {
      releaseId: input.releaseId,
      releaseVersion: input.releaseVersion,
      roles: config.roles,
      sqliteIdentity: config.sqliteIdentity,
      // Only when set, so the provenance of a release of bytes reads as it always did.
      ...(config.identity.length > 0 ? { identity: config.identity } : {}),
      ...(config.exclude.length > 0 ? { exclude: config.exclude } : {}),
    },
    sourceDateEpoch: input.epoch,
    materials: [
      { uri: "evidence:manifest", digest: manifestDigest },
      { uri: "evidence:rollback-policy", digest: digestOfJSON(input.policy) },
    ],
    startedOn: input.startedOn,
    finishedOn: input.epoch === null ? input.finishedOn() : input.startedOn,
  });
}

/**
 * The release of a store root: its manifest written to `input.manifest` as the store is walked
 * (put in place later, with the packet and the provenance, by ./write-evidence.ts), its packet
 * and provenance built from what the walk kept.
 */
export async function sealRelease(input: SealInput): Promise<Checked<SealedRelease>> {
  const early = await readCatalogEarly(input);
  const unreadable = await unreadableNamedCatalog(input, early);
  if (unreadable !== null) return failedWith(unreadable);
  const built = await manifestOf(input, wantedPaths(input, early));
  if (hasErrors(built.findings)) return failedWith(built.findings);
  const catalog = await catalogOf(input, built, early);
  if (!catalog.ok) return catalog;
  const packet = packetOf(input, built, catalog.value);
  if (!packet.ok) return packet;
  const releaseIdentity = releaseIdentityOf(packet.value);
  const provenance = provenanceOf(input, built.digest, releaseIdentity);
  return ok({
    packet: packet.value,
    provenance,
    releaseIdentity,
    findings: built.findings,
    manifestProblems: built.problems,
  });
}
