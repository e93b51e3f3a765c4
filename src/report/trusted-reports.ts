// Signed drill reports as a verifier sees them: the public keys it trusts, and envelopes read,
// checked for shape, verified against any trusted key and only then parsed. Signature first:
// nothing in an unverified payload is believed. report verify, gate and audit share this.
import { isUtf8 } from "node:buffer";
import { createPublicKey, type KeyObject } from "node:crypto";
import type { Dir } from "node:fs";
import { opendir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { MAX_DOCUMENT_BYTES, readJSONDocument } from "../documents/read-document.js";
import { parseStrictJSON } from "../documents/strict-json.js";
import { failed, failedWith, ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { isSHA256Hex } from "../identity/digest.js";
import { displayPath } from "../util/display-path.js";
import { keyIdOf } from "../identity/key-id.js";
import {
  checkEnvelopeShape,
  decodeEnvelope,
  IN_TOTO_PAYLOAD_TYPE,
  type DecodedEnvelope,
  type DSSEEnvelope,
} from "./dsse.js";
import { checkEnvelopeSignature } from "./signing.js";
import { DRILL_REPORT_PREDICATE_TYPE, STATEMENT_TYPE, type Statement } from "./statement.js";

export type TrustedKey = { readonly path: string; readonly key: KeyObject; readonly keyId: string };

/** The drill report as a predicate: only what verifiers read is typed, the rest is kept. */
export type ReportPredicate = {
  readonly verdict?: unknown;
  readonly finishedAt?: unknown;
  readonly [field: string]: unknown;
};

/**
 * A verified drill report as gate and audit judge it: what they read of it, not the report. A
 * report of a large store holds a check per artifact; a folder of them is judged one at a time,
 * each let go once these few fields are taken.
 */
export type SignedReport = {
  /** Display path. */
  readonly file: string;
  /** The trusted key that verified it. */
  readonly keyId: string;
  /** The subject's name without "release:". */
  readonly releaseId: string;
  /** The subject's sha256. */
  readonly releaseIdentity: string;
  readonly verdict: unknown;
  /** predicate.finishedAt parsed; null when absent or not a date. */
  readonly finishedAt: Date | null;
  /** predicate.rto.seenSeconds and predicate.rpo.seenSeconds; null when not measured. */
  readonly seenSeconds: { readonly rto: number | null; readonly rpo: number | null };
  /** predicate.scenario.name: the failure scenario the drill was judged against (drill --scenario). */
  readonly scenario: string | null;
  /**
   * predicate.sample: the drill checked the content of only a share of the artifacts (drill
   * --sample), said as "50% (seed 3)"; null: it checked them all. Any sample field counts.
   */
  readonly sampled: string | null;
};

const REPORT_FILE_SUFFIX = ".dsse.json";

/**
 * The largest envelope read: the largest a drill can write. The drill holds the base64 payload
 * and the envelope's text each as one string, so no envelope it signs is longer than V8's
 * longest string (512 MiB less 24 bytes), which is also MAX_DOCUMENT_BYTES. A report grows by
 * 194 bytes plus the path per artifact, a third more in base64: a million artifacts with 50-byte
 * paths make a 326 MB envelope (docs/decisions.md, "Reading signed reports of large stores").
 */
export const MAX_ENVELOPE_BYTES = MAX_DOCUMENT_BYTES;
const TOO_LARGE_HINT =
  "No drill writes a signed report this large (a million-artifact report is about 300 MB): check that the file is the drill-report.dsse.json a drill wrote, and name that.";

/** One public key, or why the file cannot be trusted as one. */
export async function loadTrustedKey(path: string): Promise<Checked<TrustedKey>> {
  const file = displayPath(path);
  let pem: string;
  try {
    pem = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return failed(
      createFinding("document_unreadable", {
        subject: file,
        message: `${file}: the public key cannot be read (${code ?? String(error)})`,
        ...(code === "ENOENT" ? { actual: "absent", cause: "missing" as const } : {}),
      }),
    );
  }
  // createPublicKey would derive a public key from a private one; a verifier must never be
  // handed the signing key, so say so instead of quietly accepting it.
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    return failed(
      createFinding("document_invalid", {
        subject: file,
        expected: "a public key (drill.pub)",
        actual: "a private key",
        message: `${file}: is a private key; give the public key (drill.pub) instead and keep the private key where drills are signed`,
        cause: "public_key",
      }),
    );
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    return failed(
      createFinding("document_invalid", {
        subject: file,
        expected: "an SPKI PEM public key (recoverable keygen writes drill.pub)",
        actual: /^(ssh-|-----BEGIN OPENSSH)/.test(pem.trim())
          ? "an OpenSSH key"
          : "not a public key",
        message: `${file}: is not a PEM public key`,
        cause: "public_key",
      }),
    );
  }
  if (key.asymmetricKeyType !== "ed25519")
    return failed(
      createFinding("document_invalid", {
        subject: file,
        expected: "an Ed25519 public key",
        actual: key.asymmetricKeyType ?? "unknown",
        message: `${file}: the public key is ${key.asymmetricKeyType ?? "of an unknown type"}, not Ed25519`,
        cause: "public_key",
      }),
    );
  return ok({ path, key, keyId: keyIdOf(key) });
}

/**
 * Loads public keys (SPKI PEM, as keygen writes drill.pub); findings name each unusable file (a
 * private key is refused). The same key named twice is one key, so it cannot count twice
 * towards a threshold.
 */
export async function loadTrustedKeys(
  paths: readonly string[],
): Promise<{ keys: TrustedKey[]; findings: ClassifiedFinding[] }> {
  const keys: TrustedKey[] = [];
  const findings: ClassifiedFinding[] = [];
  for (const loaded of await Promise.all(paths.map(loadTrustedKey))) {
    if (!loaded.ok) findings.push(...loaded.findings);
    else if (!keys.some((k) => k.keyId === loaded.value.keyId)) keys.push(loaded.value);
  }
  return { keys, findings };
}

/** An envelope read and decoded, and its path as a user reads it. */
export type OpenedEnvelope = { readonly envelope: DecodedEnvelope; readonly file: string };

/**
 * An envelope read from disk, its shape checked (DESIGN.md: a bad shape is unusable) and its
 * payload decoded; the base64 text is not kept.
 */
export async function readEnvelope(path: string): Promise<Checked<OpenedEnvelope>> {
  const read = await readJSONDocument(path, "signed report", {
    maxBytes: MAX_ENVELOPE_BYTES,
    tooLargeHint: TOO_LARGE_HINT,
    leave: ["payload"],
  });
  if (!read.ok) return failedWith(read.findings);
  const payloadJSON = read.left.get("payload");
  const value =
    payloadJSON === undefined
      ? read.value
      : { ...(read.value as object), payload: stringOf(payloadJSON) };
  const findings = checkEnvelopeShape(value).map((problem) =>
    createFinding("document_invalid", {
      subject: `${read.file}#${problem.pointer}`,
      message: `${read.file}: ${problem.pointer || "the envelope"} ${problem.message} (a DSSE envelope has payloadType, payload and signatures)`,
    }),
  );
  if (findings.length > 0) return failedWith(findings);
  return ok({ envelope: decodeEnvelope(value as DSSEEnvelope), file: read.file });
}

/**
 * The value of a JSON text that is left unparsed; a string without escapes (base64 has none) is
 * sliced out of it, not copied.
 */
function stringOf(json: string): unknown {
  return json.startsWith('"') && !json.includes("\\") ? json.slice(1, -1) : JSON.parse(json);
}

/**
 * The payload bytes and the key that signed them, when a signature by any trusted key verifies
 * over the PAE of the payload as it is, with the in-toto payload type; report_signature_invalid
 * otherwise. Keys are tried in order, so the first trusted key that verifies is named.
 */
export function verifyEnvelope(
  envelope: DecodedEnvelope,
  file: string,
  keys: readonly TrustedKey[],
): Checked<{ readonly keyId: string; readonly payload: Buffer }> {
  const check = checkEnvelopeSignature(
    envelope,
    keys.map((k) => k.key),
  );
  if (check.valid) {
    const key = keys.find((k) => k.key === check.key) as TrustedKey;
    if (envelope.payloadType === IN_TOTO_PAYLOAD_TYPE)
      return ok({ keyId: key.keyId, payload: check.payload });
    return failed(
      createFinding("report_signature_invalid", {
        subject: file,
        expected: `a valid Ed25519 signature by ${displayPath(key.path)} over ${IN_TOTO_PAYLOAD_TYPE}`,
        actual: `payloadType ${envelope.payloadType}`,
        message: `${file}: the payloadType is ${JSON.stringify(envelope.payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`,
      }),
    );
  }
  const by =
    keys.length === 1 && keys[0] !== undefined
      ? displayPath(keys[0].path)
      : `one of ${keys.length} trusted keys`;
  return failed(
    createFinding("report_signature_invalid", {
      subject: file,
      expected: `a valid Ed25519 signature by ${by} over ${IN_TOTO_PAYLOAD_TYPE}`,
      actual: check.reason,
      message: `${file}: ${check.reason}`,
    }),
  );
}

/** The statement inside a verified payload, or why it is not a statement of that predicate type. */
export function parseStatement(
  payload: Buffer,
  file: string,
  predicateType: string = DRILL_REPORT_PREDICATE_TYPE,
): Checked<Statement<ReportPredicate>> {
  const finding = (code: "document_invalid" | "document_unreadable", message: string) =>
    failed<Statement<ReportPredicate>>(
      createFinding(code, {
        subject: `${file}#/payload`,
        message: `${file}: the signed payload ${message}`,
      }),
    );
  const invalid = (message: string) => finding("document_invalid", message);
  if (!isUtf8(payload)) return finding("document_unreadable", "is not UTF-8 text");
  const parsed = parseStrictJSON(payload.toString("utf8"));
  if (!parsed.ok) {
    const { message, pointer } = parsed.problem;
    return finding("document_unreadable", `is not JSON: ${message} (at ${pointer || "/"})`);
  }
  const value: unknown = parsed.value;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return invalid("is not an in-toto Statement");
  const statement = value as Partial<Statement<ReportPredicate>>;
  if (statement._type !== STATEMENT_TYPE)
    return invalid(`has _type ${shown(statement._type)}, not ${STATEMENT_TYPE}`);
  if (statement.predicateType !== predicateType)
    return invalid(`has predicateType ${shown(statement.predicateType)}, not ${predicateType}`);
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
  return ok(statement as Statement<ReportPredicate>);
}

/** A value of an unverified or unexpected payload, short enough for a message. */
function shown(value: unknown): string {
  if (typeof value === "string")
    return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (typeof value !== "object" || value === null) return String(value);
  return Array.isArray(value) ? "an array" : "an object";
}

function seenSecondsOf(objective: unknown): number | null {
  const seen =
    typeof objective === "object" && objective !== null
      ? (objective as { seenSeconds?: unknown }).seenSeconds
      : null;
  return typeof seen === "number" && Number.isFinite(seen) ? seen : null;
}

function parseFinishedAt(value: unknown): Date | null {
  if (typeof value !== "string") return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time);
}

/** Several problems of one envelope as one finding, named by the first. */
function oneFinding(findings: readonly ClassifiedFinding[], path: string): ClassifiedFinding {
  const [first, ...rest] = findings;
  if (first === undefined)
    return createFinding("document_invalid", {
      subject: displayPath(path),
      message: `${displayPath(path)}: is not a DSSE envelope`,
    });
  if (rest.length === 0) return first;
  return { ...first, message: [first.message, ...rest.map((f) => f.message)].join("; ") };
}

/**
 * Reads and verifies one envelope against any of the keys: PAE over the payload bytes, payload
 * type, in-toto Statement, drill-report predicate type. A finding otherwise:
 * report_signature_invalid when no trusted key verifies it, document_unreadable or
 * document_invalid when it is not an envelope (or its signed payload is not a drill report).
 */
async function openSignedReport(
  path: string,
  keys: readonly TrustedKey[],
): Promise<Checked<SignedReport>> {
  const opened = await readEnvelope(path);
  if (!opened.ok) return failed(oneFinding(opened.findings, path));
  const read = opened.value;
  const verified = verifyEnvelope(read.envelope, read.file, keys);
  if (!verified.ok) return verified;
  const statement = parseStatement(verified.value.payload, read.file);
  if (!statement.ok) return statement;
  const subject = statement.value.subject[0];
  const predicate = statement.value.predicate;
  return ok({
    file: read.file,
    keyId: verified.value.keyId,
    releaseId: subject.name.replace(/^release:/, ""),
    releaseIdentity: subject.digest.sha256,
    verdict: predicate.verdict,
    finishedAt: parseFinishedAt(predicate.finishedAt),
    seenSeconds: { rto: seenSecondsOf(predicate["rto"]), rpo: seenSecondsOf(predicate["rpo"]) },
    scenario: scenarioOf(predicate["scenario"]),
    sampled: sampledOf(predicate["sample"]),
  });
}

function sampledOf(sample: unknown): string | null {
  if (sample === undefined) return null;
  const { fraction, seed } = (typeof sample === "object" && sample !== null ? sample : {}) as {
    fraction?: unknown;
    seed?: unknown;
  };
  const share = typeof fraction === "number" ? `${Number((fraction * 100).toFixed(4))}%` : "?";
  return `${share} (seed ${typeof seed === "number" ? String(seed) : "?"})`;
}

function scenarioOf(scenario: unknown): string | null {
  const name =
    typeof scenario === "object" && scenario !== null
      ? (scenario as { name?: unknown }).name
      : null;
  return typeof name === "string" ? name : null;
}

/**
 * Opens each envelope in turn (openSignedReport): one report at a time is in memory, however
 * many the folder holds and however large each is.
 */
export async function openSignedReports(
  paths: readonly string[],
  keys: readonly TrustedKey[],
): Promise<Checked<SignedReport>[]> {
  const opened: Checked<SignedReport>[] = [];
  for (const path of paths) opened.push(await openSignedReport(path, keys));
  return opened;
}

/**
 * Every *.dsse.json under dir, recursively, sorted; [] when dir does not exist. Symlinked
 * directories are not entered (no loops, nothing outside the folder).
 */
export async function findReportFiles(dir: string): Promise<string[]> {
  let top: Dir;
  try {
    top = await opendir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw error;
  }
  const found: string[] = [];
  const walk = async (directory: string, handle: Dir): Promise<void> => {
    for await (const entry of handle) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) await walk(path, await opendir(path));
      else if (
        (entry.isFile() || entry.isSymbolicLink()) &&
        entry.name.endsWith(REPORT_FILE_SUFFIX)
      )
        found.push(path);
    }
  };
  await walk(dir, top);
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
