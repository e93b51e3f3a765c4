// A private copy of the bundled Atlas example (ops/ with its store, evidence, drill config and
// service) in a temp dir, with a fresh signing key, so a test can change one thing of it.
import { cpSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCLI } from "./cli.js";
import { makeTempDir } from "./temp-dir.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

export type ExampleCopy = {
  /** The directory that holds ops/ (the drill config's base directory). */
  readonly dir: string;
  readonly path: (relative: string) => string;
  /** Reads ops/drill.json, lets the test change it, writes it back. */
  readonly editDrillConfig: (change: (config: Record<string, unknown>) => void) => void;
  /**
   * Seals the copy's store (ops/store) as the release `id` at `version`, as a release pipeline
   * would after changing it; throws with seal's output unless it exits 0.
   */
  readonly seal: (id: string, version: string) => void;
};

export function copyExample(): ExampleCopy {
  const dir = makeTempDir("recoverable-example-");
  cpSync(join(REPO, "ops"), join(dir, "ops"), { recursive: true, preserveTimestamps: true });
  // The example service imports better-sqlite3.
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"), "dir");
  const keygen = runCLI(["keygen", "--out", ".recoverable/keys"], { cwd: dir });
  if (keygen.code !== 0) throw new Error(`keygen failed: ${keygen.stderr}`);
  const path = (relative: string) => join(dir, relative);
  return {
    dir,
    path,
    editDrillConfig(change) {
      const file = path("ops/drill.json");
      const config = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      change(config);
      writeFileSync(file, JSON.stringify(config, null, 2));
    },
    seal(id, version) {
      const sealed = runCLI(
        ["seal", "--json", "--root", "ops/store", "--release-id", id, "--release-version", version],
        { cwd: dir },
      );
      if (sealed.code !== 0) throw new Error(`seal failed: ${sealed.stdout}${sealed.stderr}`);
    },
  };
}
