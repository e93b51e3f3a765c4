// The notes the reaper (src/util/reaper.ts) leaves in <state.dir>/reaped/ when a drill died
// without stopping what it had started: the next drill with that state directory reports
// each one as a leftovers_reaped warning in its report, and removes the note once that report
// is written (a drill interrupted first leaves it for the next one).
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";

export function reapedNotesDir(stateDir: string): string {
  return join(stateDir, "reaped");
}

type Note = { run: string; reapedAt: string; leftovers: string[] };

function isNote(value: unknown): value is Note {
  const note = value as Partial<Note> | null;
  return (
    typeof note?.run === "string" &&
    typeof note.reapedAt === "string" &&
    Array.isArray(note.leftovers) &&
    note.leftovers.every((l) => typeof l === "string")
  );
}

export type ReapedNotes = {
  /** One warning per note, oldest first. */
  readonly findings: ClassifiedFinding[];
  /** The notes' files, removed by forgetReapedNotes once the report that says so is written. */
  readonly files: string[];
};

export async function readReapedNotes(stateDir: string): Promise<ReapedNotes> {
  const dir = reapedNotesDir(stateDir);
  const notes: ReapedNotes = { findings: [], files: [] };
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(".json") && !n.startsWith(".")).sort();
  } catch {
    return notes;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      const note: unknown = JSON.parse(await readFile(path, "utf8"));
      if (!isNote(note)) continue;
      notes.findings.push(reaped(note));
      notes.files.push(path);
    } catch {
      continue;
    }
  }
  return notes;
}

export async function forgetReapedNotes(files: readonly string[]): Promise<void> {
  for (const file of files) await rm(file, { force: true });
}

function reaped(note: Note): ClassifiedFinding {
  return createFinding("leftovers_reaped", {
    severity: "warning",
    subject: note.run,
    actual: note.leftovers.join("; "),
    message: `${note.run} ended without stopping what it had started; at ${note.reapedAt} recoverable's reaper cleaned up after it: ${note.leftovers.join("; ")}`,
  });
}
