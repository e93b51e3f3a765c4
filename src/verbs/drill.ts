// drill: the whole recovery drill, from a backup (or a live store and URL) to a signed report.
// Load every input once (./drill-load.ts), plan (./drill-planner.ts, pure), run (./drill-run.ts).
import { NO_PROGRESS } from "../util/progress.js";
import { loadDrillInputs } from "./drill-load.js";
import { NO_REPORT, type DrillOptions, type DrillResult } from "./drill-options.js";
import { planDrill } from "./drill-planner.js";
import { runDrillJob } from "./drill-run.js";
import { loadContext } from "./evidence-context.js";
import { createResult, NO_RELEASE } from "./result.js";

export type { DrillOptions, DrillResult } from "./drill-options.js";

export async function drill(options: DrillOptions = {}): Promise<DrillResult> {
  const loaded = await loadContext(options);
  if (!loaded.ok) return createResult("drill", loaded.findings, NO_RELEASE, NO_REPORT);
  const inputs = await loadDrillInputs(options, loaded.value);
  const now = options.now ?? (() => new Date());
  const job = planDrill(options, inputs, now());
  if (!job.ok) return createResult("drill", [...job.findings], NO_RELEASE, NO_REPORT);
  return runDrillJob(job.value, {
    now,
    progress: options.progress ?? NO_PROGRESS,
    signal: options.signal ?? new AbortController().signal,
  });
}
