// JSON artifacts at the `content` and `schema` levels: read strictly (UTF-8, one JSON value,
// no duplicate keys), digested in RFC 8785 form, and checked against a JSON Schema the release
// sealed whole. The schema's own `$schema` says its draft (2020-12 when it says none).
import { isUtf8 } from "node:buffer";
import { readFile, stat } from "node:fs/promises";
import { Ajv } from "ajv/dist/ajv.js";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parseStrictJSON, type JSONValue } from "../documents/strict-json.js";
import { digestOfJSON, type DigestSet } from "../identity/digest.js";
import { MAX_JSON_ARTIFACT_BYTES } from "./detect-kind.js";

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export type JSONRead =
  | { readonly ok: true; readonly value: JSONValue }
  | { readonly ok: false; readonly reason: string };

/** One JSON value from a store file, or why it is not one. */
export async function readJSONArtifact(absolutePath: string): Promise<JSONRead> {
  const { size } = await stat(absolutePath);
  if (size > MAX_JSON_ARTIFACT_BYTES)
    return { ok: false, reason: `${size} bytes, over the ${MAX_JSON_ARTIFACT_BYTES} read as JSON` };
  const bytes = await readFile(absolutePath);
  if (!isUtf8(bytes)) return { ok: false, reason: "not UTF-8" };
  const parsed = parseStrictJSON(bytes.toString("utf8"));
  if (!parsed.ok) {
    const { line, column, message } = parsed.problem;
    return { ok: false, reason: `not valid JSON at ${line}:${column}: ${message}` };
  }
  return { ok: true, value: parsed.value };
}

/** The digest of a JSON value's RFC 8785 form: the same data in any formatting. */
export function jsonContentDigest(value: JSONValue): DigestSet {
  return digestOfJSON(value);
}

export type CompiledSchema =
  | { readonly ok: true; readonly validate: ValidateFunction }
  | { readonly ok: false; readonly error: string };

/** Compiles a user's JSON Schema with the draft its `$schema` names. */
export function compileJSONSchema(schema: unknown): CompiledSchema {
  const declared =
    typeof schema === "object" && schema !== null ? (schema as { $schema?: unknown }).$schema : "";
  const draft = typeof declared === "string" ? declared : "";
  const options = { allErrors: true, strict: false };
  const ajv = draft.includes("draft-07")
    ? new Ajv(options)
    : draft.includes("2019-09")
      ? new Ajv2019(options)
      : new Ajv2020(options);
  addFormats(ajv);
  try {
    return { ok: true, validate: ajv.compile(schema as object) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

const MAX_ERRORS = 10;

/** "/projects/0/name must be string", for each error (at most ten); empty when it passes. */
export function jsonSchemaErrors(validate: ValidateFunction, value: JSONValue): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? [])
    .slice(0, MAX_ERRORS)
    .map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
}
