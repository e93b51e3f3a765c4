// The bundled example's drill config, evidence and `dir:ops/store` source, loaded in process the
// way the drill's loader loads them: what unit tests of the drill's planner and report build on.
import { join } from "node:path";
import { parseSourceRef, type RestoreSource, type SourceRef } from "../../src/archive/source.js";
import { loadDrillConfig, type DrillConfig } from "../../src/documents/drill-config.js";
import {
  loadTabledEvidence,
  type TabledEvidence,
} from "../../src/documents/load-tabled-evidence.js";
import { openSource } from "../../src/sources/open-source.js";

export const EXAMPLE_ROOT = join(import.meta.dirname, "..", "..");

type LoadedEvidence = Extract<TabledEvidence, { ok: true }>;

export type ExampleInputs = {
  readonly config: DrillConfig;
  readonly evidence: LoadedEvidence;
  readonly ref: SourceRef;
  readonly source: RestoreSource;
};

export async function loadExampleInputs(): Promise<ExampleInputs> {
  const config = await loadDrillConfig(undefined, EXAMPLE_ROOT);
  if (!config.ok) throw new Error("the example's drill config did not load");
  const evidence = await loadTabledEvidence(config.config.evidence);
  if (!evidence.ok) throw new Error("the example's evidence did not load");
  const parsed = parseSourceRef("dir:ops/store", EXAMPLE_ROOT);
  if (!parsed.ok) throw new Error("dir:ops/store did not parse");
  const opened = openSource(parsed.value);
  if (!opened.ok) throw new Error("dir:ops/store did not open");
  return { config: config.config, evidence, ref: parsed.value, source: opened.value };
}
