// What pg_restore and psql said when a restore stopped (pure): the server's error, its detail,
// and the statement that failed, sorted into what the user must do about it. pg_restore
// writes "pg_restore: error: could not execute query: ERROR:  ..." then "Command was: ...";
// psql (with --echo-errors) writes "psql:<stdin>:12: ERROR:  ..." then
// "psql:<stdin>:12: STATEMENT:  ...". Anything else pg_restore calls an error is the archive
// itself (truncated, corrupt) or a pg_restore too old for it. The programs run with LC_ALL=C.

export type RestoreError =
  /** A statement of the dump failed in the server. */
  | {
      readonly kind: "statement";
      readonly error: string;
      readonly detail: string | null;
      readonly statement: string | null;
      /** The role the statement needs, when the server said it does not exist. */
      readonly missingRole: string | null;
      /** The extension the statement needs, when the server does not have it. */
      readonly missingExtension: string | null;
    }
  /** The archive cannot be read: truncated, corrupt, not a dump. */
  | { readonly kind: "archive"; readonly error: string }
  /** The program is older than the pg_dump that wrote the archive. */
  | { readonly kind: "too_old"; readonly error: string }
  /** The program could not reach the server. */
  | { readonly kind: "connection"; readonly error: string };

const PG_RESTORE_ERROR = /^pg_restore: error: (.*)$/;
const PSQL_PREFIX = /^psql:[^:\n]*:\d+: /;

function classifyServerError(
  error: string,
  detail: string | null,
  statement: string | null,
): RestoreError {
  const role = /role "([^"]+)" does not exist/.exec(error);
  const extension =
    /extension "([^"]+)" is not available/.exec(error) ??
    /could not open extension control file "(?:[^"]*\/)?([^"/]+)\.control"/.exec(
      `${error}\n${detail ?? ""}`,
    );
  return {
    kind: "statement",
    error,
    detail,
    statement,
    missingRole: role?.[1] ?? null,
    missingExtension: extension?.[1] ?? null,
  };
}

/** A "TAG:  " line and the lines that continue it, up to the next tagged line, joined. */
function block(lines: readonly string[], start: number, isTag: (line: string) => boolean): string {
  const parts = [lines[start] as string];
  for (let i = start + 1; i < lines.length && !isTag(lines[i] as string); i++)
    parts.push(lines[i] as string);
  return parts.join("\n").trim();
}

function firstTagged(lines: readonly string[], tag: string, from: number): number {
  return lines.findIndex((line, i) => i >= from && line.startsWith(tag));
}

export function parsePGRestoreErrors(stderr: string): RestoreError | null {
  const lines = stderr.split("\n");
  const at = lines.findIndex((line) => PG_RESTORE_ERROR.test(line));
  if (at < 0) return null;
  const message = (PG_RESTORE_ERROR.exec(lines[at] as string)?.[1] ?? "").trim();
  const query =
    /^(?:could not execute query|COPY failed for table "[^"]*"): (?:ERROR|FATAL):\s+(.*)$/.exec(
      message,
    );
  if (query) {
    const isTag = (line: string) =>
      /^(DETAIL|HINT|CONTEXT|LINE \d+|Command was):/.test(line) || PG_RESTORE_ERROR.test(line);
    const detailAt = firstTagged(lines, "DETAIL:", at + 1);
    const commandAt = firstTagged(lines, "Command was:", at + 1);
    const nextError = lines.findIndex((line, i) => i > at && PG_RESTORE_ERROR.test(line));
    const within = (i: number) => i > at && (nextError < 0 || i < nextError);
    const detail = within(detailAt)
      ? block(lines, detailAt, isTag).replace(/^DETAIL:\s*/, "")
      : null;
    const statement = within(commandAt)
      ? block(lines, commandAt, isTag).replace(/^Command was:\s*/, "")
      : null;
    const table = /^COPY failed for table "([^"]*)"/.exec(message);
    return classifyServerError(
      query[1] ?? message,
      detail,
      statement ?? (table ? `COPY ${table[1] ?? ""} (the table's data)` : null),
    );
  }
  if (/unsupported version \([\d.]+\) in file header/.test(message))
    return { kind: "too_old", error: message };
  if (/^connection to server|could not connect/.test(message))
    return { kind: "connection", error: message };
  return { kind: "archive", error: message };
}

export function parsePsqlErrors(stderr: string): RestoreError | null {
  const lines = stderr.split("\n");
  const fatal = lines.find((line) => /^psql: error: /.test(line));
  if (fatal !== undefined)
    return { kind: "connection", error: fatal.replace(/^psql: error: /, "").trim() };
  const command = lines.find((line) => /^psql:[^\n]*: error: invalid command \\/.test(line));
  if (command !== undefined)
    return { kind: "too_old", error: command.replace(/^psql:[^:\n]*:\d+: error: /, "").trim() };
  const at = lines.findIndex((line) => /^psql:[^\n]*: (ERROR|FATAL):\s/.test(line));
  if (at < 0) return null;
  const error = (lines[at] as string).replace(PSQL_PREFIX, "").replace(/^(ERROR|FATAL):\s+/, "");
  const tagged = (line: string) => PSQL_PREFIX.test(line) || /^(DETAIL|HINT|LINE \d+):/.test(line);
  const detailAt = lines.findIndex((line, i) => i > at && line.startsWith("DETAIL:"));
  const statementAt = lines.findIndex(
    (line, i) => i > at && /^psql:[^\n]*: STATEMENT:\s/.test(line),
  );
  const detail =
    detailAt > at && (statementAt < 0 || detailAt < statementAt)
      ? (lines[detailAt] as string).replace(/^DETAIL:\s+/, "")
      : null;
  const statement =
    statementAt > at
      ? block(lines, statementAt, tagged)
          .replace(PSQL_PREFIX, "")
          .replace(/^STATEMENT:\s+/, "")
      : null;
  return classifyServerError(error.trim(), detail, statement);
}
