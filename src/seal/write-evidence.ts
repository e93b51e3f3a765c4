// What seal writes must itself be valid: every document is checked against its schema before
// it is put in place (the manifest as it was written, ./manifest-summary.ts). Then the staged
// manifest, the packet and the provenance are put in place all or none.
import { basename, dirname } from "node:path";
import type { EvidenceFiles } from "../documents/identity-chain.js";
import { checkSchema } from "../documents/schema-validation.js";
import type { Packet, Provenance } from "../documents/types.js";
import { failedWith, ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { formatJSON } from "../util/atomic-write.js";
import { displayPath } from "../util/display-path.js";
import { writeAllOrNone } from "../util/write-all-or-none.js";
import type { StagedManifest } from "./staged-manifest.js";

export type SealedDocuments = {
  readonly manifest: StagedManifest;
  /** The schema check of the manifest, made artifact by artifact as it was written. */
  readonly manifestProblems: readonly ClassifiedFinding[];
  readonly packet: Packet;
  readonly provenance: Provenance;
};

type Written = "manifest" | "packet" | "provenance";

/** The files written, in order, or the finding of the schema check or the write that failed. */
export async function writeEvidence(
  paths: EvidenceFiles,
  documents: SealedDocuments,
): Promise<Checked<string[]>> {
  const { manifest, packet, provenance } = documents;
  const selfCheck = [
    ...documents.manifestProblems,
    ...checkSchema("packet", packet as never, displayPath(paths.packet)),
    ...checkSchema("provenance", provenance as never, displayPath(paths.provenance)),
  ];
  if (selfCheck.length > 0) return failedWith(selfCheck);
  const unwritable = stagingFailed(paths, manifest);
  if (unwritable !== null) return failedWith(unwritable);
  try {
    await writeAllOrNone(
      [
        { path: paths.manifest, staged: manifest.temporary },
        { path: paths.packet, data: formatJSON(packet) },
        { path: paths.provenance, data: formatJSON(provenance) },
      ],
      new AbortController().signal,
    );
    manifest.placed();
  } catch (error) {
    return failedWith([ioFailed(paths[failedAt(paths, error)], error)]);
  }
  return ok([paths.manifest, paths.packet, paths.provenance].map((path) => displayPath(path)));
}

/**
 * The finding when the manifest's temp file could not be made: said before the store is walked
 * (a walk of millions of files takes minutes), since nothing could be written after it.
 */
export function stagingFailed(
  paths: EvidenceFiles,
  manifest: StagedManifest,
): readonly ClassifiedFinding[] | null {
  return manifest.failure === null ? null : [ioFailed(paths.manifest, manifest.failure)];
}

function ioFailed(path: string, error: unknown): ClassifiedFinding {
  const { code, path: at } = error as NodeJS.ErrnoException;
  const where = at === undefined || at === path ? "" : ` at ${displayPath(at)}`;
  const blocked =
    code === "EEXIST" || code === "ENOTDIR"
      ? ": a file stands where a folder must be; move it away, or write elsewhere with --ops"
      : "";
  return createFinding("io_failed", {
    subject: displayPath(path),
    message: `cannot write the evidence (${code ?? String(error)}${where})${blocked}`,
  });
}

/** Which document a failed write was for: the one whose directory or temp file it names. */
function failedAt(paths: EvidenceFiles, error: unknown): Written {
  const at = (error as NodeJS.ErrnoException).path;
  const names = (kind: Written) =>
    at === dirname(paths[kind]) ||
    (at !== undefined &&
      dirname(at) === dirname(paths[kind]) &&
      basename(at).startsWith(`.${basename(paths[kind])}.`));
  return (["packet", "provenance"] as const).find(names) ?? "manifest";
}
