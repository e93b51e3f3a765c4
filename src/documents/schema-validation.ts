// JSON Schema validation with ajv (2020-12, all errors, strict), turned into findings that
// name the file, the JSON pointer and what was expected.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import type { JSONValue } from "./strict-json.js";
import type { DocumentKind } from "./types.js";

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const SCHEMA_DIR = new URL("../../schemas/", import.meta.url);

export const SCHEMA_FILES: Record<DocumentKind, string> = {
  manifest: "manifest.schema.json",
  packet: "packet.schema.json",
  provenance: "provenance.schema.json",
  rollbackPolicy: "rollback-policy.schema.json",
  drillConfig: "drill-config.schema.json",
  snapshot: "snapshot.schema.json",
  drillReport: "drill-report.schema.json",
};

const SUPPORTED_SCHEMA_VERSION = 1;

let validators: Map<DocumentKind, ValidateFunction> | undefined;

function loadSchema(file: string): object {
  return JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), "utf8")) as object;
}

function compiledValidators(): Map<DocumentKind, ValidateFunction> {
  validators ??= precompiledValidators() ?? compileValidators();
  return validators;
}

/**
 * The validators the build compiled from the same schemas (scripts/compile-schemas.mjs):
 * compiling them at every start cost ~0.13 s. Null where there is no build (the tests run the
 * sources), and the schemas are compiled here instead.
 */
function precompiledValidators(): Map<DocumentKind, ValidateFunction> | null {
  let compiled: Record<string, ValidateFunction>;
  try {
    compiled = createRequire(import.meta.url)("./compiled-schemas.cjs") as Record<
      string,
      ValidateFunction
    >;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") return null;
    throw error;
  }
  const kinds = Object.keys(SCHEMA_FILES) as DocumentKind[];
  return new Map(kinds.map((kind) => [kind, compiled[kind] as ValidateFunction]));
}

/** Compiles every schema with the options the build uses (exported for a test comparing the two). */
export function compileValidators(): Map<DocumentKind, ValidateFunction> {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  ajv.addSchema(loadSchema("defs.schema.json"));
  const compiled = new Map<DocumentKind, ValidateFunction>();
  for (const [kind, file] of Object.entries(SCHEMA_FILES) as [DocumentKind, string][]) {
    compiled.set(kind, ajv.compile(loadSchema(file)));
  }
  return compiled;
}

/**
 * Validates a parsed document against its schema; returns one finding per schema error. `at`
 * is the JSON pointer of the document inside the file, when it is nested (a signed report's
 * predicate is at /payload/predicate of its envelope).
 */
export function checkSchema(
  kind: DocumentKind,
  value: JSONValue,
  file: string,
  at = "",
): ClassifiedFinding[] {
  const validate = compiledValidators().get(kind);
  if (!validate) throw new Error(`no schema for ${kind}`);
  if (validate(value)) return [];
  const errors = (validate.errors ?? []).filter((e) => !NOISE_KEYWORDS.has(e.keyword));
  return errors.map((error) => findingOf(error, value, file, at));
}

/** Whether a value is valid against a kind's schema, without describing why not. */
export function conformsTo(kind: DocumentKind, value: unknown): boolean {
  const validate = compiledValidators().get(kind);
  if (!validate) throw new Error(`no schema for ${kind}`);
  return validate(value);
}

/** Keywords whose errors only repeat what the errors inside them already say. */
const NOISE_KEYWORDS = new Set(["if", "allOf"]);

function findingOf(
  error: ErrorObject,
  document: JSONValue,
  file: string,
  at: string,
): ClassifiedFinding {
  const { pointer, expected, message } = describe(error);
  const actual = pointer === error.instancePath ? valueAt(document, pointer) : "absent";
  return createFinding("document_invalid", {
    subject: `${file}#${at}${pointer}`,
    expected,
    actual,
    message: `${file}: ${at + pointer || "/"} ${message}`,
  });
}

function describe(error: ErrorObject): { pointer: string; expected: string; message: string } {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required": {
      const name = String(params["missingProperty"]);
      return {
        pointer: `${at}/${name}`,
        expected: `property "${name}"`,
        message: `is required but missing`,
      };
    }
    case "additionalProperties": {
      const name = String(params["additionalProperty"]);
      return {
        pointer: `${at}/${name}`,
        expected: "only the properties of the schema, or x- extensions",
        message: `is not a known property (only keys that start with x- may be added)`,
      };
    }
    case "const":
      if (at === "/schemaVersion") {
        return {
          pointer: at,
          expected: String(SUPPORTED_SCHEMA_VERSION),
          message: `is a schemaVersion this version of recoverable does not read (it reads ${SUPPORTED_SCHEMA_VERSION}); upgrade recoverable or write version ${SUPPORTED_SCHEMA_VERSION}`,
        };
      }
      return {
        pointer: at,
        expected: JSON.stringify(params["allowedValue"]),
        message: error.message ?? "is not the expected value",
      };
    case "enum": {
      const allowed = (params["allowedValues"] as unknown[])
        .map((v) => JSON.stringify(v))
        .join(", ");
      return { pointer: at, expected: `one of ${allowed}`, message: `must be one of ${allowed}` };
    }
    case "type":
      return {
        pointer: at,
        expected: String(params["type"]),
        message: `must be of type ${String(params["type"])}`,
      };
    case "pattern":
      return {
        pointer: at,
        expected: patternName(String(params["pattern"])),
        message: `must be ${patternName(String(params["pattern"]))}`,
      };
    case "format":
      return {
        pointer: at,
        expected: String(params["format"]),
        message: `must be a ${String(params["format"])}`,
      };
    case "false schema":
      return { pointer: at, expected: "absent", message: "must not be present here" };
    default:
      return {
        pointer: at,
        expected: `${error.keyword} ${JSON.stringify(params)}`,
        message: error.message ?? "is invalid",
      };
  }
}

/** Friendly names for the patterns of defs.schema.json, so a user reads intent, not a regex. */
function patternName(pattern: string): string {
  if (pattern === "^[0-9a-f]{64}$") return "a sha256 digest (64 lowercase hex digits)";
  if (pattern === "^([0-9]+[smhdw])+$") return "a duration like 90s, 36h, 7d or 1h30m";
  if (pattern === "Z$") return "a UTC time ending in Z";
  if (pattern === "^release:") return 'a name starting with "release:"';
  if (pattern.startsWith("^(0|[1-9][0-9]*)\\.")) return "a semantic version like 2026.11.1";
  if (pattern.startsWith("^[A-Za-z0-9][A-Za-z0-9._-]"))
    return "a release id (letters, digits, . _ -)";
  return `text matching ${pattern}`;
}

function valueAt(document: JSONValue, pointer: string): string {
  let node: unknown = document;
  for (const raw of pointer.split("/").slice(1)) {
    const token = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (node === null || typeof node !== "object") return "absent";
    node = (node as Record<string, unknown>)[token];
  }
  if (node === undefined) return "absent";
  const text = JSON.stringify(node);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
