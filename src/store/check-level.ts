// The checks of a file whose bytes the release does not pin (docs/live-data.md), once its
// bytes are known: a JSON document's canonical digest (content) or its JSON Schema (schema),
// and for `present` that the file is still of its kind. Bytes equal to the sealed ones imply
// all of it (seal took the facts from those very bytes), so nothing is read again then.
import type { Artifact } from "../documents/types.js";
import { digestsEqual, shortDigest } from "../identity/digest.js";
import { detectDumpFormat, DUMP_HEAD_BYTES } from "../postgres/dump-format.js";
import { readHead } from "../util/read-head.js";
import type { CheckName } from "./check-counts.js";
import type { Report } from "./check-pgdump.js";
import { levelOf } from "./identity-levels.js";
import {
  compileJSONSchema,
  jsonContentDigest,
  jsonSchemaErrors,
  readJSONArtifact,
} from "./json-level.js";
import { isSQLiteHeader } from "./sqlite-header.js";

type Checks = { checks: CheckName[] };

/** Content and schema of a JSON artifact whose bytes changed. */
export async function checkJSONLevel(
  artifact: Artifact,
  absolutePath: string,
  { checks }: Checks,
  report: Report,
): Promise<void> {
  const level = levelOf(artifact);
  if (level === "bytes") return;
  checks.push("json_parse");
  const read = await readJSONArtifact(absolutePath);
  if (!read.ok) {
    report("json_artifact_invalid", {
      expected: "one valid JSON value",
      actual: read.reason,
      message: `${artifact.path}: is not valid JSON any more (${read.reason})`,
    });
    return;
  }
  if (level === "content" && artifact.json) {
    checks.push("json_content");
    const found = jsonContentDigest(read.value);
    if (!digestsEqual(artifact.json.contentDigest, found))
      report("json_content_mismatch", {
        expected: artifact.json.contentDigest.sha256,
        actual: found.sha256,
        message: `${artifact.path}: the document holds other data than the release (RFC 8785 digest expected ${shortDigest(artifact.json.contentDigest)}…, got ${shortDigest(found)}…)`,
      });
  }
  if (level === "schema" && artifact.jsonSchema) {
    checks.push("schema");
    const compiled = compileJSONSchema(artifact.jsonSchema.schema);
    const errors = compiled.ok
      ? jsonSchemaErrors(compiled.validate, read.value)
      : [`the sealed schema does not compile: ${compiled.error}`];
    if (errors.length > 0)
      report("schema_mismatch", {
        expected: `a document valid against ${artifact.jsonSchema.path}`,
        actual: errors.join("; "),
        message: `${artifact.path}: breaks the JSON Schema sealed with it (${artifact.jsonSchema.path}): ${errors.join("; ")}`,
      });
  }
}

/** A `present` file whose bytes changed is still of the kind it was sealed as. */
export async function checkStillOfKind(
  artifact: Artifact,
  absolutePath: string,
  report: Report,
): Promise<void> {
  const mismatch = (expected: string, actual: string) => {
    report("artifact_kind_mismatch", {
      expected,
      actual,
      message: `${artifact.path}: was sealed as ${expected}, and is ${actual} now`,
    });
  };
  switch (artifact.kind) {
    case "sqlite":
      if (!isSQLiteHeader(await readHead(absolutePath, 100)))
        mismatch("an SQLite database", "not an SQLite database (no SQLite header)");
      return;
    case "pgdump":
      if (detectDumpFormat(await readHead(absolutePath, DUMP_HEAD_BYTES)) === null)
        mismatch("a pg_dump archive", "not a pg_dump archive");
      return;
    case "json": {
      const read = await readJSONArtifact(absolutePath);
      if (!read.ok) mismatch("a JSON document", `not one (${read.reason})`);
      return;
    }
    case "file":
    case "dir":
      return;
  }
}
