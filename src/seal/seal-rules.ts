// What seal decides about each path from the drill config: its role, its identity level (and
// the rule that set it), and whether it is the store's at all (`exclude`). The JSON Schemas the
// identity rules name are read and compiled here, once, before any work: a schema that cannot
// be read is bad input, said before the store is walked.
import { resolve } from "node:path";
import type { DrillConfig } from "../documents/drill-config.js";
import { readJSONDocument } from "../documents/read-document.js";
import type { JSONValue } from "../documents/strict-json.js";
import type { IdentityRule, SQLiteIdentity } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { createLevelMatcher, type LevelRuleOf } from "../store/identity-levels.js";
import { compileJSONSchema } from "../store/json-level.js";
import { createPathMatcher } from "../store/path-matcher.js";
import { createRoleMatcher, type RoleOf } from "../store/roles.js";
import type { ValidateFunction } from "ajv/dist/2020.js";

export type LoadedJSONSchema = {
  /** As the rule wrote it (relative to the directory that holds ops/). */
  readonly path: string;
  readonly schema: JSONValue;
  readonly validate: ValidateFunction;
};

export type SealRules = {
  readonly roleOf: RoleOf;
  readonly levelRuleOf: LevelRuleOf;
  readonly sqliteIdentity: SQLiteIdentity;
  /** Paths that are not the store's: never sealed (nor anything under them). */
  readonly isExcluded: (path: string) => boolean;
  /** The JSON Schema of each identity rule that names one, by the rule's index. */
  readonly jsonSchemas: ReadonlyMap<number, LoadedJSONSchema>;
  /** Where findings about a rule point: `<config>#/identity/<index>`. */
  readonly ruleSubject: (index: number) => string;
};

async function loadJSONSchema(
  rule: IdentityRule & { jsonSchema: string },
  baseDir: string,
  subject: string,
): Promise<LoadedJSONSchema | ClassifiedFinding[]> {
  const read = await readJSONDocument(resolve(baseDir, rule.jsonSchema), "JSON Schema");
  if (!read.ok) return read.findings;
  const compiled = compileJSONSchema(read.value);
  if (!compiled.ok)
    return [
      createFinding("document_invalid", {
        subject: `${subject}/jsonSchema`,
        actual: compiled.error,
        message: `${rule.jsonSchema}: is not a usable JSON Schema: ${compiled.error}`,
        hint: "Fix the schema file named by the identity rule (draft 2020-12 unless its $schema says draft-07 or 2019-09), then seal again.",
      }),
    ];
  return { path: rule.jsonSchema, schema: read.value, validate: compiled.validate };
}

export async function loadSealRules(
  config: DrillConfig,
): Promise<{ ok: true; rules: SealRules } | { ok: false; findings: ClassifiedFinding[] }> {
  const ruleSubject = (index: number) => `${config.file ?? "drill config"}#/identity/${index}`;
  const jsonSchemas = new Map<number, LoadedJSONSchema>();
  const findings: ClassifiedFinding[] = [];
  for (const [index, rule] of config.identity.entries()) {
    if (rule.jsonSchema === undefined) continue;
    const loaded = await loadJSONSchema(
      { ...rule, jsonSchema: rule.jsonSchema },
      config.baseDir,
      ruleSubject(index),
    );
    if (Array.isArray(loaded)) findings.push(...loaded);
    else jsonSchemas.set(index, loaded);
  }
  if (findings.length > 0) return { ok: false, findings };
  return {
    ok: true,
    rules: {
      roleOf: createRoleMatcher(config.roles),
      levelRuleOf: createLevelMatcher(config.identity),
      sqliteIdentity: config.sqliteIdentity,
      isExcluded: createPathMatcher(config.exclude),
      jsonSchemas,
      ruleSubject,
    },
  };
}
