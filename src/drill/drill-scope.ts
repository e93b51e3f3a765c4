// What one drill started and must undo, whatever happens: its PostgreSQL session (a throwaway
// server, or scratch databases on a postgres.url server), the service under test and the scratch
// place. Stages hand what they start to the scope; the drill closes it once, at the end, before
// its report closes, so the report's stages account for all its time.
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { DrillConfig } from "../documents/drill-config.js";
import { PostgresSession } from "../postgres/session.js";
import type { RunningService } from "../service/service-process.js";
import { guardDirectory, type Release } from "../util/guard.js";
import { removeTree } from "../util/remove-tree.js";
import type { Interruptions } from "./interruptions.js";
import type { RestoreMode } from "./drill-plan.js";

type Scratch = { readonly dir: string; readonly keep: boolean; readonly release: Release };

export class DrillScope {
  /** The drill's PostgreSQL: its pg_dumps restored there stay for the sql probes. */
  readonly postgres: PostgresSession;
  private scratch: Scratch | null = null;
  private service: RunningService | null = null;

  constructor(
    config: DrillConfig,
    private readonly interruptions: Interruptions,
  ) {
    this.postgres = new PostgresSession(config.postgres, true);
  }

  /** A fresh scratch directory, removed at the end (or at exit, or by the reaper) unless kept. */
  async makeScratch(mode: RestoreMode): Promise<string> {
    // Absolute, as {store} must be: $TMPDIR may be relative.
    const parent = resolve(mode.scratchParent ?? tmpdir());
    await mkdir(parent, { recursive: true });
    const dir = await mkdtemp(join(parent, "recoverable-drill-"));
    const release = mode.keep ? () => undefined : guardDirectory(dir, "drill scratch directory");
    this.scratch = { dir, keep: mode.keep, release };
    return dir;
  }

  adoptService(service: RunningService): void {
    this.service = service;
  }

  /** SIGTERM, then SIGKILL after the grace period; null: no service was started. */
  async stopService(graceMs: number): Promise<boolean | null> {
    if (this.service === null) return null;
    await this.service.stop(graceMs);
    return true;
  }

  /**
   * PostgreSQL goes (at once, if it is still starting or restoring), then the scratch place,
   * unless asked to keep it. Returns the scratch place kept.
   */
  async close(): Promise<string | null> {
    await this.postgres.close();
    this.interruptions.dispose();
    return this.removeScratch();
  }

  /**
   * A restore given up at an interruption may still write into the scratch place: it is removed
   * once more when that work has ended (or at exit).
   */
  private async removeScratch(): Promise<string | null> {
    if (this.scratch === null) return null;
    const { dir, keep, release } = this.scratch;
    if (keep) return dir;
    // A directory at a time: the restored store may hold millions of files.
    await removeTree(dir);
    if (!this.interruptions.anyAbandoned) release();
    else
      void this.interruptions
        .settled()
        .then(() => removeTree(dir))
        .catch(() => undefined)
        .finally(release);
    return null;
  }
}
