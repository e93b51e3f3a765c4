// What seal adds to an artifact for its identity level (docs/live-data.md): the level itself
// where it changes what is pinned, and what that level pins: a JSON document's canonical
// digest (content); a database's shape and row bounds, a JSON Schema, a directory's required
// members (schema). A store that breaks its own rules at seal time is not sealed: the finding
// says which rule and what was found.
import type {
  Artifact,
  DatabaseShape,
  IdentityLevel,
  IdentityRule,
  TableRows,
} from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { jsonContentDigest, jsonSchemaErrors, readJSONArtifact } from "../store/json-level.js";
import { missingMembers } from "../store/check-live-dir.js";
import type { SealRules } from "./seal-rules.js";

export type Described = { artifact: Artifact } | { finding: ClassifiedFinding };

export type LevelInput = {
  readonly artifact: Artifact;
  readonly absolutePath: string;
  readonly level: IdentityLevel;
  readonly rule: { readonly rule: IdentityRule; readonly index: number } | null;
  readonly rules: SealRules;
  /** SQLite and pg_dump at schema: the shape and each table's rows, read at seal time. */
  readonly shape: { readonly shape: DatabaseShape; readonly rows: readonly TableRows[] } | null;
};

/** The artifact with its level's facts, or why the store cannot be sealed that way. */
export async function applyLevel(input: LevelInput): Promise<Described> {
  const { artifact, level } = input;
  if (level === "bytes") return { artifact };
  if (level === "present") return { artifact: { ...artifact, level } };
  if (level === "content") {
    if (artifact.kind !== "json") return { artifact: contentOf(artifact) };
    const read = await readJSONArtifact(input.absolutePath);
    if (!read.ok) return notSealed(artifact.path, read.reason);
    return {
      artifact: { ...artifact, level, json: { contentDigest: jsonContentDigest(read.value) } },
    };
  }
  switch (artifact.kind) {
    case "sqlite":
    case "pgdump":
      return databaseSchema(input);
    case "json":
      return jsonSchemaOf(input);
    case "dir":
      return membersOf(input);
    case "file":
      return { artifact: { ...artifact, level: "present" } };
  }
}

/** SQLite's content level is `sqlite.identity: content`, as it always was; pg_dump's is written. */
function contentOf(artifact: Artifact): Artifact {
  return artifact.kind === "pgdump" ? { ...artifact, level: "content" } : artifact;
}

function notSealed(path: string, reason: string): Described {
  return {
    finding: createFinding("json_artifact_invalid", {
      subject: path,
      expected: "one valid JSON value",
      actual: reason,
      message: `${path}: will not seal a JSON artifact that does not parse (${reason})`,
    }),
  };
}

/** A bound in the rule names a table of the database: pg_dump tables may drop `public.`. */
function boundTableName(kind: Artifact["kind"], table: string): string {
  return kind === "pgdump" && !table.includes(".") ? `public.${table}` : table;
}

function databaseSchema(input: LevelInput): Described {
  const { artifact, rule, shape, rules } = input;
  if (shape === null) throw new Error(`${artifact.path}: no shape was read to seal`);
  const rows: Record<string, NonNullable<IdentityRule["rows"]>[string]> = {};
  for (const [table, bound] of Object.entries(rule?.rule.rows ?? {})) {
    const name = boundTableName(artifact.kind, table);
    if (!shape.shape.tables.some((t) => t.name === name))
      return {
        finding: createFinding("document_invalid", {
          subject: `${rules.ruleSubject(rule?.index ?? 0)}/rows/${table}`,
          expected: `a table of ${artifact.path}`,
          actual: `${artifact.path} has ${shape.shape.tables.map((t) => t.name).join(", ") || "no tables"}`,
          message: `the identity rule bounds the rows of table ${table}, which ${artifact.path} does not have`,
          hint: "Name a table the database has (pg_dump: schema.table, or a table of public), or give the database its own identity rule.",
        }),
      };
    rows[table] = bound;
  }
  const facts: Artifact =
    artifact.kind === "sqlite" && artifact.sqlite
      ? { ...artifact, sqlite: { ...artifact.sqlite, identity: "content" } }
      : artifact;
  return {
    artifact: {
      ...facts,
      level: "schema",
      shape: shape.shape,
      ...(Object.keys(rows).length > 0 ? { rows } : {}),
      ...(rule?.rule.maxShrink === undefined ? {} : { maxShrink: rule.rule.maxShrink }),
    },
  };
}

async function jsonSchemaOf(input: LevelInput): Promise<Described> {
  const { artifact, rule, rules } = input;
  const schema = rule === null ? undefined : rules.jsonSchemas.get(rule.index);
  if (schema === undefined) return { artifact: { ...artifact, level: "schema" } };
  const read = await readJSONArtifact(input.absolutePath);
  if (!read.ok) return notSealed(artifact.path, read.reason);
  const errors = jsonSchemaErrors(schema.validate, read.value);
  if (errors.length > 0)
    return {
      finding: createFinding("schema_mismatch", {
        subject: artifact.path,
        expected: `a document valid against ${schema.path}`,
        actual: errors.join("; "),
        message: `${artifact.path}: will not seal a document that breaks its JSON Schema ${schema.path}: ${errors.join("; ")}`,
      }),
    };
  return {
    artifact: {
      ...artifact,
      level: "schema",
      jsonSchema: { path: schema.path, schema: schema.schema },
    },
  };
}

async function membersOf(input: LevelInput): Promise<Described> {
  const { artifact, rule } = input;
  const members = rule?.rule.members ?? [];
  if (members.length === 0) return { artifact: { ...artifact, level: "schema" } };
  const missing = await missingMembers(input.absolutePath, members);
  if (missing.length > 0)
    return {
      finding: createFinding("schema_mismatch", {
        subject: artifact.path,
        expected: `files matching ${members.join(", ")}`,
        actual: `none matches ${missing.join(", ")}`,
        message: `${artifact.path}: will not seal a directory without its required members: no file matches ${missing.join(", ")}`,
      }),
    };
  return { artifact: { ...artifact, level: "schema", members } };
}
