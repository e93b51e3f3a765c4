// The evidence for a verb that holds the release's artifacts for its whole run (restore, drill).
// A manifest in the store walk's order, plainly valid, is kept as the file itself, read again a
// window at a time (ManifestWindows), so memory does not grow with its artifacts; one that is
// not in that order is streamed into compact columns (ArtifactTable); one that is not plainly
// valid is loaded the ordinary way, which names every problem, and put into the same columns.
// Either way the parsed manifest is not kept. A caller that must look artifacts up by path
// (restore --only, drill --shard, a tar or restic source's sealed sizes) asks for the table.
import {
  ArtifactTable,
  ArtifactTableBuilder,
  artifactsOf,
  type ArtifactSource,
} from "./artifact-table.js";
import { ManifestWindows } from "./artifact-windows.js";
import type { Evidence, EvidenceFiles } from "./identity-chain.js";
import { loadEvidence, loadEvidenceStreamed } from "./load-evidence.js";
import type { Artifact } from "./types.js";
import { digestOfJSON } from "../identity/canonical-json.js";
import type { DigestSet } from "../identity/digest.js";
import type { ClassifiedFinding } from "../findings/finding.js";

/** The release's artifacts as a restore or a drill holds them. */
export type ReleaseArtifacts = ArtifactTable | ManifestWindows;

export type TabledEvidence<A extends ReleaseArtifacts = ArtifactTable> =
  | {
      readonly ok: true;
      /** The packet, provenance and rollback policy, parsed; the manifest is not kept. */
      readonly evidence: Omit<Evidence, "manifest">;
      readonly files: EvidenceFiles;
      readonly artifacts: A;
      /**
       * The store paths of the pg_dump artifacts (the databases a service may be given): few,
       * so a drill can ask an artifact's kind without a lookup in the whole manifest.
       */
      readonly pgdumps: ReadonlySet<string>;
      /** The manifest's digest, for the identity chain (verifyChainOf). */
      readonly manifestDigest: DigestSet;
    }
  | { readonly ok: false; readonly findings: ClassifiedFinding[] };

/** The release's artifacts in compact columns, whatever the manifest's order. */
export async function loadTabledEvidence(paths: EvidenceFiles): Promise<TabledEvidence> {
  return (await loadReleaseEvidence(paths, { table: true })) as TabledEvidence;
}

/**
 * The release's artifacts as windows of the manifest file when it is in the walk's order, else
 * in compact columns (memory then grows with the artifacts: the fallback, correct, not flat).
 * `table`: always in compact columns, filled by the first pass over the manifest.
 */
export async function loadReleaseEvidence(
  paths: EvidenceFiles,
  { table = false }: { readonly table?: boolean } = {},
): Promise<TabledEvidence<ReleaseArtifacts>> {
  // The first, strict pass over the manifest shows each artifact: the pg_dump paths are kept,
  // and with `table` every artifact goes into the columns then, so it is not read again.
  const pgdumps = new Set<string>();
  const builder = table ? new ArtifactTableBuilder() : null;
  const streamed = await loadEvidenceStreamed(paths, (_index, artifact) => {
    if (artifact.kind === "pgdump") pgdumps.add(artifact.path);
    builder?.push(artifact);
  });
  if (streamed !== null) {
    const { artifacts, manifestDigest, files, ...evidence } = streamed;
    if (artifacts instanceof ArtifactTable) {
      const dumps = pgdumpsIn(artifactsOf(artifacts));
      return { ok: true, evidence, files, artifacts, pgdumps: dumps, manifestDigest };
    }
    const kept = builder === null ? artifacts : builder.build();
    return { ok: true, evidence, files, artifacts: kept, pgdumps, manifestDigest };
  }
  const loaded = await loadEvidence(paths);
  if (!loaded.ok) return loaded;
  const { manifest, ...evidence } = loaded.evidence;
  return {
    ok: true,
    evidence,
    files: loaded.files,
    artifacts: ArtifactTable.from(manifest.artifacts),
    pgdumps: pgdumpsIn(manifest.artifacts),
    manifestDigest: digestOfJSON(manifest),
  };
}

/** The artifacts in compact columns: the windows read once more into them, or the table. */
export async function tableOf(artifacts: ReleaseArtifacts): Promise<ArtifactTable> {
  if (artifacts instanceof ArtifactTable) return artifacts;
  const builder = new ArtifactTableBuilder();
  await eachArtifact(artifacts, (artifact) => {
    builder.push(artifact);
  });
  return builder.build();
}

/** Each artifact in manifest order; a windowed manifest is read again, a window at a time. */
export async function eachArtifact(
  artifacts: ReleaseArtifacts | ArtifactSource,
  visit: (artifact: Artifact) => void,
): Promise<void> {
  if (!(artifacts instanceof ManifestWindows)) {
    for (const artifact of artifactsOf(artifacts)) visit(artifact);
    return;
  }
  await artifacts.forEachWindow(4096, (_start, list) => {
    list.forEach(visit);
  });
}

function pgdumpsIn(artifacts: Iterable<Artifact>): Set<string> {
  const paths = new Set<string>();
  for (const artifact of artifacts) if (artifact.kind === "pgdump") paths.add(artifact.path);
  return paths;
}
