// init: scaffold the drill config and the rollback policy of an existing store, from what is in
// it (src/init/plan-init.ts), and say the commands to run next. It never overwrites: when either
// file is there, nothing is written at all.
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { checkSchema } from "../documents/schema-validation.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { planInit, SIGNING_KEY, type InitPlan } from "../init/plan-init.js";
import { scanStore } from "../init/scan-store.js";
import { createPathMatcher } from "../store/path-matcher.js";
import { entryTypeAt } from "../store/walk-store.js";
import { formatJSON } from "../util/atomic-write.js";
import { displayPath } from "../util/display-path.js";
import { writeAllOrNone } from "../util/write-all-or-none.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type InitOptions = {
  /** The store root (default ./ops/store). */
  readonly root?: string;
  /** Where the rollback policy goes, in the Atlas layout (default ./ops). */
  readonly ops?: string;
  /** Where the drill config goes (default <ops>/drill.json). */
  readonly config?: string;
  readonly cwd?: string;
};

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

/** A path as the drill config names it: relative to baseDir, or absolute when outside it. */
function fromBase(baseDir: string, path: string): string {
  const rel = relative(baseDir, path);
  if (rel === "") return ".";
  if (rel.startsWith("..") || isAbsolute(rel)) return path;
  return rel.split(sep).join("/");
}

/** A glob of the store for `path` when it is inside the store root, else null. */
function insideStore(root: string, path: string): string | null {
  const rel = relative(root, path);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return null;
  return `${rel.split(sep).join("/")}/**`;
}

/**
 * Where snapshots go: .recoverable/snapshots beside ops/, unless that is inside the store root
 * (a snapshot would hold the ones before it): then <root>.snapshots beside the root.
 */
function repositoryFor(root: string, baseDir: string): string {
  const beside = join(baseDir, ".recoverable", "snapshots");
  return insideStore(root, beside) === null ? beside : `${root}.snapshots`;
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./#-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export async function init(options: InitOptions = {}): Promise<InitResult> {
  const cwd = options.cwd ?? process.cwd();
  const fail = (findings: ClassifiedFinding[]) =>
    createResult("init", findings, NO_RELEASE, NOTHING);
  const root = resolve(cwd, options.root ?? "ops/store");
  const opsDir = resolve(cwd, options.ops ?? "ops");
  const configPath = resolve(cwd, options.config ?? join(opsDir, "drill.json"));
  const policyPath = join(opsDir, "datasets", "rollback-policy.json");
  if ((await entryTypeAt(root)) !== "dir")
    return fail([
      createFinding("usage_invalid", {
        subject: "--root",
        expected: "the directory of an existing store",
        actual: displayPath(root),
        message: `the store root ${displayPath(root)} is not a directory: pass --root <the directory your service serves from>`,
      }),
    ]);
  const existing: ClassifiedFinding[] = [];
  for (const path of [configPath, policyPath])
    if ((await entryTypeAt(path)) !== null)
      existing.push(
        createFinding("output_exists", {
          subject: displayPath(path),
          actual: "already there",
          message: `${displayPath(path)} is already there: init never overwrites, and wrote nothing`,
          hint: "Edit the existing file instead, or move it away (or pass --ops <another dir>) and run init again.",
        }),
      );
  if (existing.length > 0) return fail(existing);

  const configDir = dirname(configPath);
  const baseDir = basename(configDir) === "ops" ? dirname(configDir) : configDir;
  const exclude = [opsDir, configDir, join(baseDir, ".recoverable")]
    .map((p) => insideStore(root, p))
    .filter((g, i, all): g is string => g !== null && all.indexOf(g) === i);
  const facts = await scanStore(root, createPathMatcher(exclude));
  const repository = repositoryFor(root, baseDir);
  const plan = planInit(facts, {
    store: fromBase(baseDir, root),
    ops: fromBase(baseDir, opsDir),
    repository: fromBase(baseDir, repository),
    exclude,
  });
  const selfCheck = [
    ...checkSchema("drillConfig", plan.drillConfig as never, displayPath(configPath)),
    ...checkSchema("rollbackPolicy", plan.rollbackPolicy as never, displayPath(policyPath)),
  ];
  if (selfCheck.length > 0) return fail(selfCheck);
  const written = await writeAllOrNone(
    [
      { path: configPath, data: formatJSON(plan.drillConfig) },
      { path: policyPath, data: formatJSON(plan.rollbackPolicy) },
    ],
    new AbortController().signal,
  );
  if (!written)
    return fail([
      createFinding("io_failed", {
        subject: displayPath(configPath),
        message: "init was interrupted before it wrote",
      }),
    ]);
  return createResult(
    "init",
    plan.collisions.length > 0 ? collisionWarnings(plan) : [],
    NO_RELEASE,
    {
      written: [displayPath(configPath), displayPath(policyPath)],
      proposals: {
        datasets: plan.datasets,
        roles: plan.roles,
        identity: plan.identity,
        collisions: plan.collisions,
        probes: (plan.drillConfig.probes ?? []).map((p) => p.name),
      },
      next: await nextCommands(cwd, baseDir, configPath, repository),
    },
  );
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

/** keygen (when there is no key yet), seal, snapshot and drill, with this layout's paths. */
async function nextCommands(
  cwd: string,
  baseDir: string,
  configPath: string,
  repository: string,
): Promise<string[]> {
  const withConfig =
    configPath === join(cwd, "ops", "drill.json") ? [] : ["-C", displayPath(configPath)];
  const line = (...words: string[]) => ["recoverable", ...words].map(shellWord).join(" ");
  const key = join(baseDir, SIGNING_KEY);
  const name =
    basename(baseDir)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[^a-z0-9]+/, "") || "store";
  return [
    ...((await entryTypeAt(key)) === null
      ? [line("keygen", "--out", displayPath(dirname(key)))]
      : []),
    line("seal", ...withConfig, "--release-id", `${name}-1`, "--release-version", "1.0.0"),
    line("snapshot", ...withConfig, "--repo", displayPath(repository), "--label", "first"),
    line("drill", ...withConfig),
  ];
}
