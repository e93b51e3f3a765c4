// report verify: is this envelope a drill report, signed by a trusted key, about this release,
// fresh enough, and proven? Signature first: nothing in an unverified payload is believed.
import { createPublicKey, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { readJSONDocument } from "../documents/read-document.js";
import { parseStrictJSON } from "../documents/strict-json.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { digestsEqual, isSHA256Hex } from "../identity/digest.js";
import { formatDuration, parseDuration } from "../policy/duration.js";
import { checkEnvelopeShape, IN_TOTO_PAYLOAD_TYPE, type DSSEEnvelope } from "../report/dsse.js";
import { checkEnvelopeSignature } from "../report/signing.js";
import {
  DRILL_REPORT_PREDICATE_TYPE,
  STATEMENT_TYPE,
  type Statement,
} from "../report/statement.js";
import { displayPath } from "../util/display-path.js";
import { createResult, NO_RELEASE, type Release, type VerbResult } from "./result.js";

export type ReportVerifyOptions = {
  readonly envelope: string;
  readonly key: string;
  /** The release identity (sha256 hex) the report must be about. */
  readonly release?: string;
  /** The oldest the report's finishedAt may be, as a duration like 7d. */
  readonly maxAge?: string;
  readonly now?: () => Date;
  readonly cwd?: string;
};

export type ReportPredicate = {
  readonly verdict?: unknown;
  readonly finishedAt?: unknown;
  readonly [field: string]: unknown;
};
export type ReportVerifyResult = VerbResult<{
  keyId: string | null;
  statement: Statement<ReportPredicate> | null;
}>;

function usage(subject: string, expected: string, actual: string): ClassifiedFinding {
  return createFinding("usage_invalid", {
    subject,
    expected,
    actual,
    message: `${subject} ${JSON.stringify(actual)} is not ${expected}`,
  });
}

async function loadPublicKey(path: string): Promise<KeyObject | ClassifiedFinding> {
  const file = displayPath(path);
  let pem: string;
  try {
    pem = await readFile(path, "utf8");
  } catch (error) {
    return createFinding("document_unreadable", {
      subject: file,
      message: `${file}: the public key cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    });
  }
  // createPublicKey would derive a public key from a private one; a verifier must never be
  // handed the signing key, so say so instead of quietly accepting it.
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    return createFinding("document_invalid", {
      subject: file,
      expected: "a public key (drill.pub)",
      actual: "a private key",
      message: `${file}: is a private key; give report verify the public key (drill.pub) and keep the private key where drills are signed`,
    });
  }
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType === "ed25519") return key;
    return createFinding("document_invalid", {
      subject: file,
      expected: "an Ed25519 public key",
      actual: key.asymmetricKeyType ?? "unknown",
      message: `${file}: the public key is ${key.asymmetricKeyType ?? "of an unknown type"}, not Ed25519`,
    });
  } catch {
    return createFinding("document_invalid", {
      subject: file,
      expected: "an SPKI PEM public key (recoverable keygen writes drill.pub)",
      actual: "not a public key",
      message: `${file}: is not a PEM public key`,
    });
  }
}

/** The statement inside a verified payload, or why it is not a drill report statement. */
function parseStatement(
  payload: Buffer,
  file: string,
): Statement<ReportPredicate> | ClassifiedFinding {
  const invalid = (message: string): ClassifiedFinding =>
    createFinding("document_invalid", {
      subject: `${file}#/payload`,
      message: `${file}: the signed payload ${message}`,
    });
  const parsed = parseStrictJSON(payload.toString("utf8"));
  if (!parsed.ok) return invalid(`is not JSON: ${parsed.problem.message}`);
  const statement = parsed.value as Partial<Statement<ReportPredicate>>;
  if (typeof statement !== "object" || Array.isArray(statement))
    return invalid("is not an in-toto Statement");
  if (statement._type !== STATEMENT_TYPE)
    return invalid(`has _type ${JSON.stringify(statement._type)}, not ${STATEMENT_TYPE}`);
  if (statement.predicateType !== DRILL_REPORT_PREDICATE_TYPE) {
    return invalid(
      `has predicateType ${JSON.stringify(statement.predicateType)}, not ${DRILL_REPORT_PREDICATE_TYPE}`,
    );
  }
  const subject = Array.isArray(statement.subject) ? (statement.subject[0] as unknown) : undefined;
  const digest = (subject as { digest?: { sha256?: unknown } } | undefined)?.digest?.sha256;
  if (
    typeof digest !== "string" ||
    !isSHA256Hex(digest) ||
    typeof (subject as { name?: unknown }).name !== "string"
  ) {
    return invalid("has no subject with a name and a sha256 digest");
  }
  const predicate: unknown = statement.predicate;
  if (typeof predicate !== "object" || predicate === null) return invalid("has no predicate");
  return statement as Statement<ReportPredicate>;
}

export async function reportVerify(options: ReportVerifyOptions): Promise<ReportVerifyResult> {
  const cwd = options.cwd ?? process.cwd();
  const fail = (
    findings: ClassifiedFinding[],
    release: Release = NO_RELEASE,
    statement: Statement<ReportPredicate> | null = null,
    keyId: string | null = null,
  ): ReportVerifyResult => createResult("report verify", findings, release, { keyId, statement });

  // 1. Flags and inputs, all checked before any verdict.
  const inputFindings: ClassifiedFinding[] = [];
  if (options.release !== undefined && !isSHA256Hex(options.release)) {
    inputFindings.push(
      usage("--release", "a sha256 release identity (64 lowercase hex digits)", options.release),
    );
  }
  const maxAgeMs = options.maxAge === undefined ? null : parseDuration(options.maxAge);
  if (options.maxAge !== undefined && maxAgeMs === null) {
    inputFindings.push(usage("--max-age", "a duration like 36h or 7d", options.maxAge));
  }
  const key = await loadPublicKey(resolve(cwd, options.key));
  if ("code" in key) inputFindings.push(key);
  const read = await readJSONDocument(resolve(cwd, options.envelope), "signed report");
  if (!read.ok) inputFindings.push(...read.findings);
  else {
    for (const problem of checkEnvelopeShape(read.value)) {
      inputFindings.push(
        createFinding("document_invalid", {
          subject: `${read.file}#${problem.pointer}`,
          message: `${read.file}: ${problem.pointer || "the envelope"} ${problem.message} (a DSSE envelope has payloadType, payload and signatures)`,
        }),
      );
    }
  }
  if (inputFindings.length > 0 || !read.ok || "code" in key) return fail(inputFindings);
  const file = read.file;
  const envelope = read.value as unknown as DSSEEnvelope;

  // 2. The signature, over PAE of the payload bytes as they are, by the trusted key.
  const signature = checkEnvelopeSignature(envelope, key);
  const payloadTypeOk = envelope.payloadType === IN_TOTO_PAYLOAD_TYPE;
  if (!signature.valid || !payloadTypeOk) {
    return fail([
      createFinding("report_signature_invalid", {
        subject: file,
        expected: `a valid Ed25519 signature by ${displayPath(resolve(cwd, options.key))} over ${IN_TOTO_PAYLOAD_TYPE}`,
        actual: signature.valid ? `payloadType ${envelope.payloadType}` : signature.reason,
        message: `${file}: ${signature.valid ? `the payloadType is ${JSON.stringify(envelope.payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}` : signature.reason}`,
      }),
    ]);
  }

  // 3. The statement: now it can be believed.
  const statement = parseStatement(signature.payload, file);
  if ("code" in statement) return fail([statement], NO_RELEASE, null, signature.keyId);
  const subject = statement.subject[0];
  const release = {
    releaseId: subject.name.replace(/^release:/, ""),
    releaseIdentity: subject.digest,
  };
  const findings: ClassifiedFinding[] = [];

  // 4. The subject: the release the report is about.
  if (options.release === undefined) {
    findings.push(
      createFinding("subject_not_checked", {
        subject: file,
        severity: "info",
        actual: subject.digest.sha256,
        message: `${file}: no --release given, so the report was not tied to a release (it is about ${subject.name}, sha256:${subject.digest.sha256})`,
      }),
    );
  } else if (!digestsEqual({ sha256: options.release }, subject.digest)) {
    findings.push(
      createFinding("report_subject_mismatch", {
        subject: `${file}#/subject/0/digest`,
        expected: options.release,
        actual: subject.digest.sha256,
        message: `${file}: the report is about ${subject.name} sha256:${subject.digest.sha256.slice(0, 12)}…, not sha256:${options.release.slice(0, 12)}…`,
      }),
    );
  }

  // 5. Freshness, from the predicate's finishedAt.
  const finishedAt =
    typeof statement.predicate.finishedAt === "string"
      ? Date.parse(statement.predicate.finishedAt)
      : Number.NaN;
  if (maxAgeMs !== null) {
    if (Number.isNaN(finishedAt)) {
      findings.push(
        createFinding("document_invalid", {
          subject: `${file}#/payload`,
          message: `${file}: the report has no RFC 3339 finishedAt, so its age is unknown`,
        }),
      );
    } else {
      const age = (options.now ?? (() => new Date()))().getTime() - finishedAt;
      if (age > maxAgeMs) {
        findings.push(
          createFinding("report_stale", {
            subject: file,
            expected: `at most ${options.maxAge ?? ""}`,
            actual: formatDuration(age),
            message: `${file}: the report finished ${formatDuration(age)} ago, older than --max-age ${options.maxAge ?? ""}`,
          }),
        );
      }
    }
  }

  // 6. The verdict the report carries.
  if (statement.predicate.verdict !== "proven") {
    findings.push(
      createFinding("report_not_proven", {
        subject: file,
        expected: "proven",
        actual: String(statement.predicate.verdict),
        message: `${file}: the report's verdict is ${JSON.stringify(statement.predicate.verdict)}, not "proven"`,
      }),
    );
  }
  return fail(findings, release, statement, signature.keyId);
}
