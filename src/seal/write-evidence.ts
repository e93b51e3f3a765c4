// What seal writes must itself be valid: every document is checked against its schema before a
// byte is written, then each is written atomically at its place.
import type { EvidenceFiles } from "../documents/identity-chain.js";
import { checkSchema } from "../documents/schema-validation.js";
import type { Manifest, Packet, Provenance } from "../documents/types.js";
import { failedWith, ok, type Checked } from "../findings/checked.js";
import { createFinding } from "../findings/finding.js";
import { formatJSON, writeFileAtomic } from "../util/atomic-write.js";
import { displayPath } from "../util/display-path.js";

export type SealedDocuments = {
  readonly manifest: Manifest;
  readonly packet: Packet;
  readonly provenance: Provenance;
};

/** The files written, in order, or the finding of the schema check or the write that failed. */
export async function writeEvidence(
  paths: EvidenceFiles,
  documents: SealedDocuments,
): Promise<Checked<string[]>> {
  const outputs = (["manifest", "packet", "provenance"] as const).map(
    (kind) => [kind, documents[kind]] as const,
  );
  const selfCheck = outputs.flatMap(([kind, value]) =>
    checkSchema(kind, value as never, displayPath(paths[kind])),
  );
  if (selfCheck.length > 0) return failedWith(selfCheck);
  const written: string[] = [];
  try {
    for (const [kind, value] of outputs) {
      await writeFileAtomic(paths[kind], formatJSON(value));
      written.push(displayPath(paths[kind]));
    }
  } catch (error) {
    return failedWith([
      createFinding("io_failed", {
        subject: displayPath(paths[outputs[written.length]?.[0] ?? "manifest"]),
        message: `cannot write the evidence (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      }),
    ]);
  }
  return ok(written);
}
