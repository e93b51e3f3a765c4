// The drill report inside a signed envelope's payload: an in-toto Statement whose predicate
// passes the drill report's schema and is about the release the statement names.
import type { DrillReport } from "../documents/drill-report.js";
import { checkSchema } from "../documents/schema-validation.js";
import type { JSONValue } from "../documents/strict-json.js";
import { failed, failedWith, ok, type Checked } from "../findings/checked.js";
import { createFinding } from "../findings/finding.js";
import { digestsEqual } from "../identity/digest.js";
import type { OpenedEnvelope } from "./trusted-reports.js";
import { parseStatement } from "./trusted-reports.js";

/** The payload of an envelope whose signature was not checked: its base64 must decode. */
export function unverifiedPayload(opened: OpenedEnvelope): Checked<Buffer> {
  const decoded = opened.envelope.signed?.payload ?? null;
  if (decoded !== null) return ok(decoded);
  const { file } = opened;
  return failed(
    createFinding("document_invalid", {
      subject: `${file}#/payload`,
      expected: "standard base64",
      message: `${file}: the payload is not standard base64, so there is no report to render`,
      hint: "A drill writes the payload as standard base64: this envelope was altered or not written by recoverable. Render the drill-report.dsse.json a drill wrote, or re-run the drill.",
    }),
  );
}

export function drillReportOf(payload: Buffer, file: string): Checked<DrillReport> {
  const statement = parseStatement(payload, file);
  if (!statement.ok) return statement;
  const predicate = statement.value.predicate as unknown as JSONValue;
  const invalid = checkSchema("drillReport", predicate, file, "/payload/predicate");
  if (invalid.length > 0) return failedWith(invalid);
  const report = predicate as unknown as DrillReport;
  const subject = statement.value.subject[0];
  if (digestsEqual(subject.digest, report.releaseIdentity)) return ok(report);
  return failed(
    createFinding("document_invalid", {
      subject: `${file}#/payload/predicate/releaseIdentity`,
      expected: subject.digest.sha256,
      actual: report.releaseIdentity.sha256,
      message: `${file}: the statement is about sha256:${subject.digest.sha256}, but the report inside it is about sha256:${report.releaseIdentity.sha256}`,
    }),
  );
}
