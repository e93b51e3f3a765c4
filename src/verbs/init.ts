// init: scaffold the drill config and the rollback policy of an existing store, from what is in
// it (src/init/plan-init.ts), and say the commands to run next. It never overwrites: when either
// file is there, nothing is written at all.
import { failedWith, ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { planInit, type InitPlan } from "../init/plan-init.js";
import { scanStore } from "../init/scan-store.js";
import { writeScaffold } from "../init/write-scaffold.js";
import { createPathMatcher } from "../store/path-matcher.js";
import { entryTypeAt } from "../store/walk-store.js";
import { displayPath } from "../util/display-path.js";
import { initLayoutOf, nextCommands, type InitFlags, type InitLayout } from "./init-plan.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type InitOptions = InitFlags & { readonly cwd?: string };

export type InitResult = VerbResult<{
  written: string[];
  proposals: Pick<InitPlan, "datasets" | "roles" | "identity" | "collisions"> & {
    probes: string[];
  };
  next: string[];
}>;

const NOTHING = {
  written: [],
  proposals: { datasets: [], roles: [], identity: [], collisions: [], probes: [] },
  next: [],
};

/** The store root must be a directory, and neither file there yet: init never overwrites. */
async function checkTargets(layout: InitLayout): Promise<Checked<InitLayout>> {
  const { root } = layout;
  if ((await entryTypeAt(root)) !== "dir")
    return failedWith([
      createFinding("usage_invalid", {
        subject: "--root",
        expected: "the directory of an existing store",
        actual: displayPath(root),
        message: `the store root ${displayPath(root)} is not a directory: pass --root <the directory your service serves from>`,
      }),
    ]);
  const existing: ClassifiedFinding[] = [];
  for (const path of [layout.configPath, layout.policyPath])
    if ((await entryTypeAt(path)) !== null)
      existing.push(
        createFinding("output_exists", {
          subject: displayPath(path),
          actual: "already there",
          message: `${displayPath(path)} is already there: init never overwrites, and wrote nothing`,
          hint: "Edit the existing file instead, or move it away (or pass --ops <another dir>) and run init again.",
        }),
      );
  return existing.length > 0 ? failedWith(existing) : ok(layout);
}

function proposalsOf(plan: InitPlan): InitResult["proposals"] {
  const { datasets, roles, identity, collisions } = plan;
  const probes = (plan.drillConfig.probes ?? []).map((p) => p.name);
  return { datasets, roles, identity, collisions, probes };
}

export async function init(options: InitOptions = {}): Promise<InitResult> {
  const fail = (findings: readonly ClassifiedFinding[]) =>
    createResult("init", findings, NO_RELEASE, NOTHING);
  const layout = await checkTargets(initLayoutOf(options, options.cwd ?? process.cwd()));
  if (!layout.ok) return fail(layout.findings);
  const { root, names, configPath, policyPath, signingKey } = layout.value;
  const facts = await scanStore(root, createPathMatcher(names.exclude));
  const plan = planInit(facts, names);
  const written = await writeScaffold(plan, configPath, policyPath);
  if (!written.ok) return fail(written.findings);
  const keyExists = (await entryTypeAt(signingKey)) !== null;
  return createResult("init", collisionWarnings(plan), NO_RELEASE, {
    written: written.value,
    proposals: proposalsOf(plan),
    next: nextCommands(layout.value, keyExists),
  });
}

function collisionWarnings(plan: InitPlan): ClassifiedFinding[] {
  return plan.collisions.map((c) =>
    createFinding("dataset_name_collision", {
      severity: "warning",
      subject: c.paths.join(", "),
      actual: `${c.paths.length} databases named ${JSON.stringify(c.stem)}`,
      message: `${c.paths.join(", ")}: nothing in their paths tells these databases apart, so they have no dataset and no probe; seal will refuse them until one is renamed or the store has a catalog`,
    }),
  );
}
