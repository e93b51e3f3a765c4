// The shard reports report merge may believe: every signature by the trusted key first, then
// every payload a shard report; each refused one is named, and none is believed unless all are.
import { allChecked, failedWith, type Checked } from "../findings/checked.js";
import {
  parseStatement,
  verifyEnvelope,
  type OpenedEnvelope,
  type TrustedKey,
} from "../report/trusted-reports.js";
import { readShardReport, type ShardReportView } from "./read-shard-report.js";
import { SHARD_REPORT_PREDICATE_TYPE } from "./shard-report.js";

function openShardReport(opened: OpenedEnvelope, key: TrustedKey): Checked<ShardReportView> {
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

export function openShardReports(
  envelopes: readonly OpenedEnvelope[],
  key: TrustedKey,
): Checked<ShardReportView[]> {
  return allChecked(envelopes.map((opened) => openShardReport(opened, key)));
}
