// What verify, identity and seal share: the drill config, the evidence paths (--ops wins over
// the config), and the store root (--root wins over the config's store.root).
import { resolve } from "node:path";
import { loadDrillConfig, type DrillConfig } from "../documents/drill-config.js";
import { atlasPaths } from "../documents/evidence-paths.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import { createFinding } from "../findings/finding.js";
import type { EvidenceFiles } from "../documents/identity-chain.js";
import type { ProgressReporter } from "../util/progress.js";

export type CommonOptions = {
  /** -C: the drill config; must exist when given. */
  readonly config?: string;
  /** --ops: the directory holding the Atlas layout of the evidence. */
  readonly ops?: string;
  /** --root: the store root. */
  readonly root?: string;
  readonly cwd?: string;
  /** Told how far long stages are (the CLI draws bars or CI lines); default: silent. */
  readonly progress?: ProgressReporter;
};

export type Context = {
  readonly cwd: string;
  readonly config: DrillConfig;
  readonly evidence: EvidenceFiles;
};

export async function loadContext(options: CommonOptions): Promise<Checked<Context>> {
  const cwd = options.cwd ?? process.cwd();
  const loaded = await loadDrillConfig(options.config, cwd);
  if (!loaded.ok) return loaded;
  const evidence =
    options.ops === undefined ? loaded.config.evidence : atlasPaths(resolve(cwd, options.ops));
  return ok({ cwd, config: loaded.config, evidence });
}

/** The store root from --root or the config, or a usage finding saying how to name one. */
export function storeRootOf(context: Context, rootFlag: string | undefined): Checked<string> {
  if (rootFlag !== undefined) return ok(resolve(context.cwd, rootFlag));
  if (context.config.storeRoot !== null) return ok(context.config.storeRoot);
  return failed(
    createFinding("usage_invalid", {
      subject: "--root",
      expected: "a store root",
      actual: "none given",
      message: "no store root: pass --root <dir>, or set store.root in the drill config",
    }),
  );
}
