// The signed drill reports audit can believe: every *.dsse.json under the reports folder,
// verified against the trusted keys. What cannot be believed is kept with the reason, as a
// fact for the reader; it never makes the audit's input unusable.
import {
  findReportFiles,
  openSignedReports,
  type SignedReport,
  type TrustedKey,
} from "../report/trusted-reports.js";
import { displayPath } from "../util/display-path.js";

export type DrillEvidence = {
  /** The reports folder, as a user reads it. */
  readonly dir: string;
  readonly trustedKeys: number;
  readonly files: number;
  /** Reports signed by a trusted key, of any release and verdict. */
  readonly reports: readonly SignedReport[];
  readonly rejected: readonly { readonly file: string; readonly message: string }[];
};

export async function collectDrillEvidence(
  dir: string,
  keys: readonly TrustedKey[],
): Promise<DrillEvidence> {
  const files = await findReportFiles(dir);
  const opened = await openSignedReports(files, keys);
  const reports: SignedReport[] = [];
  const rejected: { file: string; message: string }[] = [];
  for (const one of opened) {
    if (one.ok) reports.push(one.value);
    else rejected.push(...one.findings.map((f) => ({ file: f.subject, message: f.message })));
  }
  return {
    dir: displayPath(dir),
    trustedKeys: keys.length,
    files: files.length,
    reports,
    rejected,
  };
}
