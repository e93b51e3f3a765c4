// What restoring one dump found (pure): its facts, or the finding that says what is wrong with
// it and what to do, from what pg_restore or psql said (restore-errors.ts).
import type { DatabaseShape, PGDumpFacts } from "../documents/types.js";
import type { FindingCode } from "../findings/catalogue.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import type { RestoreError } from "./restore-errors.js";

/** What is wrong with one dump; the caller names the artifact and sets the severity by role. */
export type DumpProblem = {
  readonly code: FindingCode;
  readonly expected: string | null;
  readonly actual: string;
  readonly message: string;
  readonly hint?: string;
};

export type PGDumpInspection =
  /** `shape`: the restored database's tables, columns, indexes, views and triggers. */
  | { readonly ok: true; readonly facts: PGDumpFacts; readonly shape: DatabaseShape }
  /** The dump does not restore: the backup is not good (not proven). */
  | { readonly ok: false; readonly problem: DumpProblem }
  /** No server or no programs to judge it with: the run could not do this check. */
  | { readonly ok: false; readonly unavailable: ClassifiedFinding };

/** What a store check asks of PostgreSQL (verify-store.ts); a session is one. */
export type PGDumpChecker = {
  inspect(storePath: string, absolutePath: string): Promise<PGDumpInspection>;
};

/** Where a dump was restored, for messages. */
export type RestoredOn = {
  /** "a throwaway PostgreSQL 15.18 server", "the PostgreSQL server at db:5432 (postgres.url)" */
  readonly where: string;
  readonly version: string;
  readonly bindir: string;
};

const STATEMENT_LIMIT = 400;

export function clip(text: string, limit = STATEMENT_LIMIT): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

export function unavailable(message: string, actual: string): ClassifiedFinding {
  return createFinding("postgres_unavailable", {
    subject: "postgresql",
    actual: clip(actual),
    message,
  });
}

export function problem(
  code: FindingCode,
  message: string,
  actual: string,
  expected: string | null = null,
): PGDumpInspection {
  return { ok: false, problem: { code, message, actual, expected } };
}

/** The restore's error as the finding that tells the user what to do. */
export function judgeRestoreError(
  storePath: string,
  error: RestoreError,
  on: RestoredOn,
): PGDumpInspection {
  const { where } = on;
  switch (error.kind) {
    case "archive":
      return problem(
        "pgdump_unreadable",
        `${storePath}: the dump cannot be read: ${clip(error.error)}`,
        clip(error.error),
        "a whole pg_dump archive",
      );
    case "too_old":
      return {
        ok: false,
        unavailable: createFinding("tool_unavailable", {
          subject: storePath,
          expected: "PostgreSQL programs at least as new as the pg_dump that wrote the dump",
          actual: `PostgreSQL ${on.version}: ${clip(error.error)}`,
          message: `${storePath}: PostgreSQL ${on.version} (${on.bindir}) cannot read this dump (${clip(error.error)}): it was made by a newer pg_dump`,
          hint: "Install a PostgreSQL at least as new as the pg_dump that made the dump (apt.postgresql.org has every version) and point RECOVERABLE_PG_BINDIR or postgres.bindir at its bin directory.",
        }),
      };
    case "connection":
      return {
        ok: false,
        unavailable: unavailable(
          `${storePath}: the restore could not run against ${where}: ${clip(error.error)}`,
          error.error,
        ),
      };
    case "statement": {
      const statement = error.statement === null ? "" : `; the statement: ${clip(error.statement)}`;
      const detail = error.detail === null ? "" : ` (${clip(error.detail, 200)})`;
      if (error.missingRole !== null)
        return problem(
          "pgdump_role_missing",
          `${storePath}: the dump needs the role ${JSON.stringify(error.missingRole)}, which ${where} does not have: ${error.error}${statement}`,
          clip(error.error),
          `role ${error.missingRole}`,
        );
      if (error.missingExtension !== null)
        return problem(
          "pgdump_extension_missing",
          `${storePath}: the dump needs the extension ${JSON.stringify(error.missingExtension)}, which is not installed for ${where}: ${error.error}${statement}`,
          clip(error.error),
          `extension ${error.missingExtension}`,
        );
      return problem(
        "pgdump_restore_failed",
        `${storePath}: the restore stopped at a statement the server refused: ${error.error}${detail}${statement}`,
        clip(error.error),
        "every statement of the dump restores",
      );
    }
  }
}
