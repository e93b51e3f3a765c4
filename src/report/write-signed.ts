// Writes a report and its signed envelope side by side, each file atomically: the JSON for
// people and tools, the DSSE envelope of an in-toto Statement about the release for verifiers.
import { join } from "node:path";
import type { DigestSet } from "../identity/digest.js";
import { formatJSON, writeFileAtomic } from "../util/atomic-write.js";
import type { FileToWrite } from "../util/write-all-or-none.js";
import { displayPath } from "../util/display-path.js";
import { IN_TOTO_PAYLOAD_TYPE } from "./dsse.js";
import { signEnvelope, type Signer } from "./signing.js";
import { createStatement } from "./statement.js";

export type SignedReportPaths = { readonly json: string; readonly envelope: string };

export async function writeSignedReport(options: {
  readonly outDir: string;
  /** The file name without `.json` / `.dsse.json`. */
  readonly baseName: string;
  readonly predicateType: string;
  readonly releaseId: string;
  readonly releaseIdentity: DigestSet;
  readonly report: object;
  readonly signer: Signer;
}): Promise<SignedReportPaths> {
  const json = join(options.outDir, `${options.baseName}.json`);
  const envelope = join(options.outDir, `${options.baseName}.dsse.json`);
  for (const file of signedFiles({ ...options, json, envelope }))
    await writeFileAtomic(file.path, file.data);
  return { json: displayPath(json), envelope: displayPath(envelope) };
}

/** The report, signed as a DSSE envelope of an in-toto Statement about the release. */
export function signedFiles(options: {
  readonly json: string;
  readonly envelope: string;
  readonly predicateType?: string;
  readonly releaseId: string;
  readonly releaseIdentity: DigestSet;
  readonly report: object;
  readonly signer: Signer;
}): FileToWrite[] {
  const statement = createStatement(
    options.releaseId,
    options.releaseIdentity,
    options.report,
    options.predicateType,
  );
  const signed = signEnvelope(
    IN_TOTO_PAYLOAD_TYPE,
    Buffer.from(JSON.stringify(statement), "utf8"),
    options.signer,
  );
  return [
    { path: options.json, data: formatJSON(options.report) },
    { path: options.envelope, data: formatJSON(signed) },
  ];
}
