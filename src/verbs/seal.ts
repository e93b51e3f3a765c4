// seal: build the manifest, the packet and the provenance of a store root and write them at
// their places, atomically, so a release pipeline can publish its evidence.
import { join } from "node:path";
import { loadDocument } from "../documents/load-evidence.js";
import { readJSONDocument } from "../documents/read-document.js";
import { checkSchema } from "../documents/schema-validation.js";
import type { Manifest, Packet, Provenance } from "../documents/types.js";
import { createFinding, hasErrors, type ClassifiedFinding } from "../findings/finding.js";
import { releaseIdentityOf } from "../documents/identity-chain.js";
import { digestOfJSON } from "../identity/digest.js";
import { buildManifest } from "../seal/build-manifest.js";
import { PostgresSession } from "../postgres/session.js";
import { buildPacket } from "../seal/build-packet.js";
import { checkDatasetReferences } from "../documents/dataset-references.js";
import { buildProvenance } from "../seal/build-provenance.js";
import { loadSealRules } from "../seal/seal-rules.js";
import { entryTypeAt } from "../store/walk-store.js";
import { formatJSON, writeFileAtomic } from "../util/atomic-write.js";
import { displayPath } from "../util/display-path.js";
import { loadContext, storeRootOf, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type SealOptions = CommonOptions & {
  readonly releaseId: string;
  readonly releaseVersion: string;
  /** The clock, for tests; SOURCE_DATE_EPOCH wins over it. */
  readonly now?: () => Date;
  readonly env?: Readonly<Record<string, string | undefined>>;
};

export type SealResult = VerbResult<{ written: string[] }>;

const RELEASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function usage(
  subject: string,
  expected: string,
  actual: string,
  message: string,
): ClassifiedFinding {
  return createFinding("usage_invalid", { subject, expected, actual, message });
}

/** RFC 3339 in UTC without fractions, as every recoverable timestamp. */
export function toTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** SOURCE_DATE_EPOCH (reproducible builds) fixes every time seal writes. */
function sealTime(options: SealOptions): { date: Date; epoch: string | null } | ClassifiedFinding {
  const epoch = (options.env ?? process.env)["SOURCE_DATE_EPOCH"];
  if (epoch === undefined || epoch === "")
    return { date: (options.now ?? (() => new Date()))(), epoch: null };
  if (!/^\d{1,12}$/.test(epoch)) {
    return usage(
      "SOURCE_DATE_EPOCH",
      "whole seconds since 1970",
      epoch,
      `SOURCE_DATE_EPOCH=${epoch} is not a whole number of seconds`,
    );
  }
  return { date: new Date(Number(epoch) * 1000), epoch };
}

export async function seal(options: SealOptions): Promise<SealResult> {
  const fail = (findings: ClassifiedFinding[]): SealResult =>
    createResult("seal", findings, NO_RELEASE, { written: [] });
  // 1. Flags, config and places.
  const flagFindings: ClassifiedFinding[] = [];
  if (!RELEASE_ID.test(options.releaseId)) {
    flagFindings.push(
      usage(
        "--release-id",
        "letters, digits, . _ - (at most 128)",
        options.releaseId,
        `--release-id ${JSON.stringify(options.releaseId)} is not a usable release id`,
      ),
    );
  }
  if (!SEMVER.test(options.releaseVersion)) {
    flagFindings.push(
      usage(
        "--release-version",
        "a semantic version like 2026.11.1",
        options.releaseVersion,
        `--release-version ${JSON.stringify(options.releaseVersion)} is not semver`,
      ),
    );
  }
  const time = sealTime(options);
  if ("code" in time) flagFindings.push(time);
  const loaded = await loadContext(options);
  if (!loaded.ok) return fail([...flagFindings, ...loaded.findings]);
  const { config, evidence: paths } = loaded.context;
  const root = storeRootOf(loaded.context, options.root);
  if (typeof root !== "string") flagFindings.push(root);
  if (flagFindings.length > 0 || typeof root !== "string" || "code" in time)
    return fail(flagFindings);
  if ((await entryTypeAt(root)) !== "dir") {
    return fail([
      usage(
        "--root",
        "a directory",
        displayPath(root),
        `the store root ${displayPath(root)} is not a directory`,
      ),
    ]);
  }

  // 2. The rollback policy must already exist: it is part of the identity.
  const policy = await loadDocument("rollbackPolicy", paths.rollbackPolicy, "rollback policy");
  if (policy.value === null) return fail(policy.findings);
  const startedOn = toTimestamp(time.date);

  // 3. The manifest, from the store itself.
  //    Each pg_dump is restored into PostgreSQL (a throwaway server unless postgres.url names
  //    one) to record its tables and content digest.
  //    The identity rules say what the release pins of each artifact (docs/live-data.md).
  const rules = await loadSealRules(config);
  if (!rules.ok) return fail(rules.findings);
  const postgres = new PostgresSession(config.postgres, false);
  let built: Awaited<ReturnType<typeof buildManifest>>;
  try {
    built = await buildManifest(root, rules.rules, postgres);
  } finally {
    await postgres.close();
  }
  if (hasErrors(built.findings)) return fail(built.findings);
  const manifest: Manifest = built.manifest;
  const manifestDigest = digestOfJSON(manifest);

  // 4. The packet: the release, tied to the manifest, the policy, the catalog and the probes.
  const catalogPath =
    config.catalog ??
    (manifest.artifacts.some((a) => a.path === "catalog.json") ? "catalog.json" : null);
  let catalog: { path: string; value: unknown } | null = null;
  if (catalogPath !== null) {
    const read = await readJSONDocument(join(root, ...catalogPath.split("/")), "catalog");
    if (!read.ok) return fail(read.findings);
    catalog = { path: catalogPath, value: read.value };
  }
  const { packet, findings: packetFindings } = buildPacket({
    releaseId: options.releaseId,
    releaseVersion: options.releaseVersion,
    createdAt: startedOn,
    manifest,
    manifestDigest,
    rollbackPolicyDigest: digestOfJSON(policy.value),
    catalog,
    runtimeConfigPath: config.runtimeConfig,
    probes: config.probes,
  });
  if (hasErrors(packetFindings)) return fail(packetFindings);
  const kinds = new Map(manifest.artifacts.map((a) => [a.path, a.kind]));
  const references = checkDatasetReferences({
    configName: config.file === null ? "drill config" : displayPath(config.file),
    probes: config.probes,
    service: config.service,
    datasets: packet.datasets,
    kindOf: (path) => kinds.get(path),
  });
  if (references.length > 0) return fail(references);
  const releaseIdentity = releaseIdentityOf(packet);

  // 5. The provenance: its subject is the release identity.
  const materials = [
    { uri: "evidence:manifest", digest: manifestDigest },
    { uri: "evidence:rollback-policy", digest: digestOfJSON(policy.value) },
  ];
  const provenance: Provenance = buildProvenance({
    releaseId: options.releaseId,
    releaseIdentity,
    parameters: {
      releaseId: options.releaseId,
      releaseVersion: options.releaseVersion,
      roles: config.roles,
      sqliteIdentity: config.sqliteIdentity,
      // Only when set, so the provenance of a release of bytes reads as it always did.
      ...(config.identity.length > 0 ? { identity: config.identity } : {}),
      ...(config.exclude.length > 0 ? { exclude: config.exclude } : {}),
    },
    sourceDateEpoch: time.epoch,
    materials,
    startedOn,
    finishedOn:
      time.epoch === null ? toTimestamp((options.now ?? (() => new Date()))()) : startedOn,
  });

  // 6. What seal writes must itself be valid: check before a byte is written.
  const outputs: [
    keyof typeof paths,
    Manifest | Packet | Provenance,
    "manifest" | "packet" | "provenance",
  ][] = [
    ["manifest", manifest, "manifest"],
    ["packet", packet, "packet"],
    ["provenance", provenance, "provenance"],
  ];
  const selfCheck = outputs.flatMap(([key, value, kind]) =>
    checkSchema(kind, value as never, displayPath(paths[key])),
  );
  if (selfCheck.length > 0) return fail(selfCheck);
  const written: string[] = [];
  try {
    for (const [key, value] of outputs) {
      await writeFileAtomic(paths[key], formatJSON(value));
      written.push(displayPath(paths[key]));
    }
  } catch (error) {
    return fail([
      createFinding("io_failed", {
        subject: displayPath(paths[outputs[written.length]?.[0] ?? "manifest"]),
        message: `cannot write the evidence (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      }),
    ]);
  }
  return createResult(
    "seal",
    built.findings,
    { releaseId: options.releaseId, releaseIdentity },
    { written },
  );
}
