// Which backup of the drill config a drill without --source restores: the one named, else the
// authoritative one (the first marked so, or the first listed). With none configured, the
// usage finding says what to add.
import type { DrillConfig } from "../documents/drill-config.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import { listArchives } from "../snapshots/archive-folder.js";
import { displayPath } from "../util/display-path.js";

export type ConfiguredBackup = DrillConfig["backups"][number];

const ADD_ONE =
  'add one under "backups" in the drill config ({"name": "nightly", "source": "snapshot:/backups/store#latest", "authoritative": true}) or pass --source dir:<path>, tar:<path>, snapshot:<repo>#latest or restic:<repository>#latest (or --live with --root and --url)';

export function configuredBackup(
  config: DrillConfig,
  name: string | undefined,
): Checked<ConfiguredBackup> {
  const where = config.file === null ? "no drill config" : displayPath(config.file);
  if (config.backups.length === 0)
    return failed(
      createFinding("usage_invalid", {
        subject: "--source",
        expected: "a source, or a backup in the drill config",
        actual: `no --source and no backups in ${where}`,
        message: `no source: ${ADD_ONE}`,
      }),
    );
  const found =
    name === undefined
      ? config.backups.find((b) => b.authoritative)
      : config.backups.find((b) => b.name === name);
  if (found !== undefined) return ok(found);
  return failed(
    createFinding("usage_invalid", {
      subject: "backup",
      expected: `one of the backups of ${where}: ${config.backups.map((b) => JSON.stringify(b.name)).join(", ")}`,
      actual: JSON.stringify(name),
      message: `no backup named ${JSON.stringify(name)} in ${where}`,
    }),
  );
}

/** A backup's name as a file name: its own report folder in `drill --all-backups`. */
export function fileNameOf(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[-.]+|-+$/g, "") || "backup"
  );
}

/**
 * The source a configured backup drills: its `source`, or for a folder of dated archives the
 * newest archive in it as `tar:<path>` (absolute), or a finding saying why there is none.
 */
export async function sourceOfBackup(
  backup: ConfiguredBackup,
): Promise<string | ClassifiedFinding> {
  if (backup.source !== null) return backup.source;
  const folder = backup.archives;
  const subject = `backup ${JSON.stringify(backup.name)}`;
  if (folder === null)
    return createFinding("usage_invalid", {
      subject,
      message: `${subject} has neither a source nor a folder of archives`,
    });
  try {
    const newest = (await listArchives(folder))[0];
    if (newest !== undefined) return `tar:${newest.path}`;
    return createFinding("source_unreadable", {
      subject,
      actual: "no archive",
      message: `${subject}: no file in ${displayPath(folder.dir)} matches ${folder.glob}`,
    });
  } catch (error) {
    return createFinding("source_unreadable", {
      subject,
      message: `${subject}: ${displayPath(folder.dir)} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    });
  }
}
