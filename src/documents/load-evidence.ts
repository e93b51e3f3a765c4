// Loads the four evidence documents once into typed values: read, parse strictly, validate
// against the schemas, check manifest paths. Every problem in every document is reported.
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import type { Evidence, EvidenceFiles } from "./identity-chain.js";
import { checkStorePath } from "./store-path.js";
import { displayPath } from "../util/display-path.js";
import { stat } from "node:fs/promises";
import type { DigestSet } from "../identity/digest.js";
import type { ArtifactTable } from "./artifact-table.js";
import { streamManifest } from "./manifest-stream.js";
import { ManifestWindows } from "./artifact-windows.js";
import { readJSONDocument } from "./read-document.js";
import { checkSchema } from "./schema-validation.js";
import type { Artifact, DocumentKind, DocumentTypes, Manifest } from "./types.js";

export type LoadedEvidence =
  | { readonly ok: true; readonly evidence: Evidence; readonly files: EvidenceFiles }
  | { readonly ok: false; readonly findings: ClassifiedFinding[] };

const DESCRIPTIONS: Record<keyof Evidence, string> = {
  manifest: "evidence manifest",
  packet: "release packet",
  provenance: "provenance",
  rollbackPolicy: "rollback policy",
};

/**
 * Reads and validates one document; its findings, or its typed value when it is valid. This is
 * the one place where parsed JSON becomes a typed document, right after its schema passed.
 */
export async function loadDocument<K extends DocumentKind>(
  kind: K,
  path: string,
  description: string,
): Promise<{ value: DocumentTypes[K] | null; file: string; findings: ClassifiedFinding[] }> {
  const read = await readJSONDocument(path, description);
  if (!read.ok) return { value: null, file: displayPath(path), findings: read.findings };
  const findings = checkSchema(kind, read.value, read.file);
  const value = findings.length === 0 ? (read.value as unknown as DocumentTypes[K]) : null;
  return { value, file: read.file, findings };
}

export async function loadEvidence(paths: EvidenceFiles): Promise<LoadedEvidence> {
  const keys = Object.keys(DESCRIPTIONS) as (keyof Evidence)[];
  const loaded = await Promise.all(
    keys.map((key) => loadDocument(key, paths[key], DESCRIPTIONS[key])),
  );
  const findings = loaded.flatMap((l) => l.findings);
  const files = Object.fromEntries(
    keys.map((key, i) => [key, loaded[i]?.file ?? paths[key]]),
  ) as EvidenceFiles;
  const manifestValue = loaded[0]?.value;
  if (manifestValue)
    findings.push(...checkManifestPaths(manifestValue as Manifest, files.manifest));
  if (findings.length > 0) return { ok: false, findings };
  const evidence = Object.fromEntries(
    keys.map((key, i) => [key, loaded[i]?.value]),
  ) as unknown as Evidence;
  return { ok: true, evidence, files };
}

export type StreamedEvidence = Omit<Evidence, "manifest"> & {
  /**
   * The manifest's artifacts, never whole in memory: read from the file a window at a time
   * when its paths are in the store walk's order (as seal writes them), else in compact columns.
   */
  readonly artifacts: ArtifactTable | ManifestWindows;
  readonly manifestDigest: DigestSet;
  readonly files: EvidenceFiles;
};

/**
 * The evidence with the manifest streamed (src/documents/manifest-stream.ts), for a store
 * check whose memory must not grow with the number of artifacts. Null when any document is
 * not plainly valid: loadEvidence then names every problem, as it always does.
 */
export async function loadEvidenceStreamed(
  paths: EvidenceFiles,
  observe?: (index: number, artifact: Artifact) => void,
): Promise<StreamedEvidence | null> {
  const [packet, provenance, rollbackPolicy] = await Promise.all([
    loadDocument("packet", paths.packet, DESCRIPTIONS.packet),
    loadDocument("provenance", paths.provenance, DESCRIPTIONS.provenance),
    loadDocument("rollbackPolicy", paths.rollbackPolicy, DESCRIPTIONS.rollbackPolicy),
  ]);
  if (packet.value === null || provenance.value === null || rollbackPolicy.value === null)
    return null;
  try {
    const info = await stat(paths.manifest);
    // No size limit here: the streamed read never holds the manifest's text whole, so a
    // manifest past the limit of one string (seal of 4 million files writes about 900 MB) is
    // read; only the ordinary loader, which holds it, refuses one that large.
    if (!info.isFile()) return null;
    const manifest = await streamedManifest(paths.manifest, observe);
    if (manifest === null) return null;
    return {
      packet: packet.value,
      provenance: provenance.value,
      rollbackPolicy: rollbackPolicy.value,
      artifacts: manifest.artifacts,
      manifestDigest: manifest.digest,
      files: {
        manifest: displayPath(paths.manifest),
        packet: packet.file,
        provenance: provenance.file,
        rollbackPolicy: rollbackPolicy.file,
      },
    };
  } catch {
    return null; // unreadable: loadEvidence says how
  }
}

/** The manifest as windows read from the file, else as a table; null: the ordinary way. */
async function streamedManifest(
  path: string,
  observe?: (index: number, artifact: Artifact) => void,
): Promise<{ artifacts: ArtifactTable | ManifestWindows; digest: DigestSet } | null> {
  const windows = await ManifestWindows.open(path, observe);
  if (windows !== null) return { artifacts: windows, digest: windows.digest };
  return streamManifest(path);
}

/** Paths must be clean and unique; an escaping path makes the manifest unusable. */
export function checkManifestPaths(manifest: Manifest, file: string): ClassifiedFinding[] {
  const findings: ClassifiedFinding[] = [];
  const seen = new Set<string>();
  manifest.artifacts.forEach((artifact, index) => {
    const pointer = `/artifacts/${index}/path`;
    const problem = checkStorePath(artifact.path);
    if (problem) {
      findings.push(
        createFinding(problem.code, {
          subject: `${file}#${pointer}`,
          expected: "a relative path inside the store root",
          actual: artifact.path,
          message: `${file}: ${pointer} ${JSON.stringify(artifact.path)} ${problem.reason}`,
          failureClass: "unusable_input",
        }),
      );
    } else if (seen.has(artifact.path)) {
      findings.push(
        createFinding("document_invalid", {
          subject: `${file}#${pointer}`,
          expected: "each path once",
          actual: artifact.path,
          message: `${file}: ${pointer} ${JSON.stringify(artifact.path)} is listed twice`,
        }),
      );
    }
    seen.add(artifact.path);
  });
  return findings;
}
