// seal's run: the manifest from the store itself, the packet tied to it, the provenance naming
// the release identity, each step refusing what the next would build on.
import { join } from "node:path";
import { checkDatasetReferences } from "../documents/dataset-references.js";
import type { DrillConfig } from "../documents/drill-config.js";
import { releaseIdentityOf } from "../documents/identity-chain.js";
import { readJSONDocument } from "../documents/read-document.js";
import type { Manifest, Packet, Provenance, RollbackPolicy } from "../documents/types.js";
import { failedWith, ok, type Checked } from "../findings/checked.js";
import { hasErrors, type ClassifiedFinding } from "../findings/finding.js";
import { digestOfJSON, type DigestSet } from "../identity/digest.js";
import { PostgresSession } from "../postgres/session.js";
import { displayPath } from "../util/display-path.js";
import { buildManifest } from "./build-manifest.js";
import { buildPacket } from "./build-packet.js";
import { buildProvenance } from "./build-provenance.js";
import type { SealRules } from "./seal-rules.js";

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
};

export type SealedRelease = {
  readonly manifest: Manifest;
  readonly packet: Packet;
  readonly provenance: Provenance;
  readonly releaseIdentity: DigestSet;
  /** What the manifest build found short of an error (warnings). */
  readonly findings: readonly ClassifiedFinding[];
};

/**
 * The manifest: each pg_dump is restored into PostgreSQL (a throwaway server unless
 * postgres.url names one) to record its tables and content digest.
 */
async function manifestOf(
  input: SealInput,
): Promise<{ manifest: Manifest; findings: ClassifiedFinding[] }> {
  const postgres = new PostgresSession(input.config.postgres, false);
  try {
    return await buildManifest(input.root, input.rules, postgres);
  } finally {
    await postgres.close();
  }
}

/** The catalog named by the config, else catalog.json when the store has one. */
async function catalogOf(
  input: SealInput,
  manifest: Manifest,
): Promise<Checked<{ path: string; value: unknown } | null>> {
  const path =
    input.config.catalog ??
    (manifest.artifacts.some((a) => a.path === "catalog.json") ? "catalog.json" : null);
  if (path === null) return ok(null);
  const read = await readJSONDocument(join(input.root, ...path.split("/")), "catalog");
  return read.ok ? ok({ path, value: read.value }) : failedWith(read.findings);
}

/** The packet: the release, tied to the manifest, the policy, the catalog and the probes. */
function packetOf(
  input: SealInput,
  manifest: Manifest,
  catalog: { path: string; value: unknown } | null,
): Checked<Packet> {
  const { packet, findings } = buildPacket({
    releaseId: input.releaseId,
    releaseVersion: input.releaseVersion,
    createdAt: input.startedOn,
    manifest,
    manifestDigest: digestOfJSON(manifest),
    rollbackPolicyDigest: digestOfJSON(input.policy),
    catalog,
    runtimeConfigPath: input.config.runtimeConfig,
    probes: input.config.probes,
  });
  if (hasErrors(findings)) return failedWith(findings);
  const { config } = input;
  const kinds = new Map(manifest.artifacts.map((a) => [a.path, a.kind]));
  const references = checkDatasetReferences({
    configName: config.file === null ? "drill config" : displayPath(config.file),
    probes: config.probes,
    service: config.service,
    datasets: packet.datasets,
    kindOf: (path) => kinds.get(path),
  });
  return references.length > 0 ? failedWith(references) : ok(packet);
}

/** The provenance: its subject is the release identity, its materials what decided it. */
function provenanceOf(
  input: SealInput,
  manifest: Manifest,
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
      { uri: "evidence:manifest", digest: digestOfJSON(manifest) },
      { uri: "evidence:rollback-policy", digest: digestOfJSON(input.policy) },
    ],
    startedOn: input.startedOn,
    finishedOn: input.epoch === null ? input.finishedOn() : input.startedOn,
  });
}

export async function sealRelease(input: SealInput): Promise<Checked<SealedRelease>> {
  const built = await manifestOf(input);
  if (hasErrors(built.findings)) return failedWith(built.findings);
  const { manifest } = built;
  const catalog = await catalogOf(input, manifest);
  if (!catalog.ok) return catalog;
  const packet = packetOf(input, manifest, catalog.value);
  if (!packet.ok) return packet;
  const releaseIdentity = releaseIdentityOf(packet.value);
  const provenance = provenanceOf(input, manifest, releaseIdentity);
  return ok({
    manifest,
    packet: packet.value,
    provenance,
    releaseIdentity,
    findings: built.findings,
  });
}
