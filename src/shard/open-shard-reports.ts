// A shard report report merge may believe: its signature by the trusted key first, then its
// payload a shard report; a refused one is named. Each is opened as soon as it is read, so
// only what a merge needs of it (./read-shard-report.ts) is held, not its envelope.
import { failedWith, type Checked } from "../findings/checked.js";
import {
  parseStatement,
  verifyEnvelope,
  type OpenedEnvelope,
  type TrustedKey,
} from "../report/trusted-reports.js";
import { readShardReport, type ShardReportView } from "./read-shard-report.js";
import { SHARD_REPORT_PREDICATE_TYPE } from "./shard-report.js";

export function openShardReport(opened: OpenedEnvelope, key: TrustedKey): Checked<ShardReportView> {
  const verified = verifyEnvelope(opened.envelope, opened.file, [key]);
  if (!verified.ok) return verified;
  const statement = parseStatement(
    verified.value.payload,
    opened.file,
    SHARD_REPORT_PREDICATE_TYPE,
  );
  if (!statement.ok)
    return failedWith(
      statement.findings.map((finding) => ({
        ...finding,
        message: `${finding.message} (report merge takes the shard-<i>-of-<n>.dsse.json envelopes of verify --shard or drill --shard)`,
      })),
    );
  const subject = statement.value.subject[0];
  return readShardReport({
    file: opened.file,
    keyId: verified.value.keyId,
    releaseId: subject.name.replace(/^release:/, ""),
    releaseIdentity: subject.digest.sha256,
    predicate: statement.value.predicate,
  });
}
