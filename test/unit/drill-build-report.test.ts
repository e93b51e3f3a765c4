// The drill report built from what the stages returned (src/drill/build-report.ts, pure): the
// bundled example's evidence, and facts made up stage by stage.
import { beforeAll, describe, expect, it } from "vitest";
import { buildDrillReport, type DrillFacts } from "../../src/drill/build-report.js";
import { storeReportChecks } from "../../src/drill/store-stages.js";
import type { DrillPlan } from "../../src/drill/drill-plan.js";
import { measureObjectives } from "../../src/drill/measure.js";
import { createFinding } from "../../src/findings/finding.js";
import { selectShard } from "../../src/shard/assign.js";
import { zeroCounts } from "../../src/store/check-counts.js";
import { artifactsOf, type ArtifactTable } from "../../src/documents/artifact-table.js";
import { loadExampleInputs } from "../helpers/example-inputs.js";

const START = new Date("2026-11-26T06:00:00Z");
let plan: DrillPlan & { readonly artifacts: ArtifactTable };

beforeAll(async () => {
  const { config, evidence, source } = await loadExampleInputs();
  plan = {
    evidence: evidence.evidence,
    artifacts: evidence.artifacts,
    pgdumps: evidence.pgdumps,
    manifestDigest: evidence.manifestDigest,
    files: evidence.files,
    paths: config.evidence,
    config,
    mode: { kind: "restore", source, scratchParent: null, keep: false },
    allowDowngrade: false,
    shard: null,
    scenario: null,
    sample: null,
  };
});

const stage = (name: string, status: "passed" | "failed" | "skipped") => ({
  name,
  status,
  startedAt: START.toISOString(),
  durationMs: 0,
});

type Facts = Omit<DrillFacts, "storeChecks">;

/** The report, with the store checks made from the facts' store as the drill makes them. */
async function reportOf(of: DrillPlan, given: Facts) {
  return buildDrillReport(of, { ...given, storeChecks: await storeReportChecks(of, given.store) });
}

function facts(change: Partial<Facts> = {}): Facts {
  const counts = { artifacts: 0, ...zeroCounts() };
  return {
    version: "9.9.9",
    startedAt: START,
    finishedAt: new Date(START.getTime() + 5000),
    stages: [stage("check evidence", "passed"), stage("restore", "passed")],
    restored: { backupTime: new Date(START.getTime() - 60_000), resolved: "dir:/abs/store" },
    storeRoot: "/tmp/scratch/store",
    serviceURL: "http://127.0.0.1:5000",
    store: { findings: [], counts, record: null, sample: null },
    policy: [],
    probed: { checks: [], doneAt: new Date(START.getTime() + 4000) },
    measured: measureObjectives({
      objectives: { rto: "15m", rpo: "24h" },
      scenario: null,
      startedAt: START,
      probesDoneAt: new Date(START.getTime() + 4000),
      proven: true,
      backupTime: new Date(START.getTime() - 60_000),
    }),
    service: { exit: "SIGTERM", log: "listening\n" },
    findings: [],
    ...change,
  };
}

describe("buildDrillReport", () => {
  it("makes a proven report of a restore: its source, store root, times, service and objectives", async () => {
    const report = await reportOf(plan, facts());
    expect(report.verdict).toBe("proven");
    expect(report.tool).toEqual({ name: "recoverable", version: "9.9.9" });
    expect(report.mode).toBe("restore");
    expect(report.source).toEqual({
      text: "dir:ops/store",
      backupTime: "2026-11-26T05:59:00.000Z",
      resolved: "dir:/abs/store",
    });
    expect(report.startedAt).toBe(START.toISOString());
    expect(report.finishedAt).toBe("2026-11-26T06:00:05.000Z");
    expect(report.service).toMatchObject({ exit: "SIGTERM", log: "listening\n" });
    expect(report.rto).toEqual({ seenSeconds: 4, targetSeconds: 900, status: "passed" });
    expect(report).not.toHaveProperty("scenario");
    const stores = report.checks.filter((c) => c.kind === "store");
    expect(stores).toHaveLength(plan.artifacts.length);
    expect(stores.every((c) => c.status === "passed")).toBe(true);
    expect(report.checks.filter((c) => c.kind === "objective").map((c) => c.name)).toEqual([
      "rto",
      "rpo",
    ]);
  });

  it("fails the store check an error names, and the verdict with it", async () => {
    const path = plan.artifacts.at(0)?.path ?? "";
    const broken = createFinding("artifact_missing", { subject: path, message: "gone" });
    const report = await reportOf(
      plan,
      facts({ store: { ...facts().store, findings: [broken] }, findings: [broken] }),
    );
    expect(report.verdict).toBe("not_proven");
    expect(report.checks.find((c) => c.name === path)?.status).toBe("failed");
  });

  it("skips the store checks and every probe of a drill whose restore failed, saying which stage", async () => {
    const report = await reportOf(
      plan,
      facts({
        stages: [stage("check evidence", "passed"), stage("restore", "failed")],
        store: { findings: [], counts: null, record: null, sample: null },
        probed: null,
        service: null,
      }),
    );
    expect(report.service).toBeNull();
    expect(
      report.checks.filter((c) => c.kind === "store").every((c) => c.status === "skipped"),
    ).toBe(true);
    const probes = report.checks.filter((c) => c.kind === "probe");
    expect(probes).toHaveLength(plan.evidence.packet.probes.length);
    expect(probes.every((c) => c.actual === 'not run: the stage "restore" failed')).toBe(true);
  });

  it("lists no probes in a shard other than 1, and says the scenario judged against", async () => {
    const shard = selectShard([...artifactsOf(plan.artifacts)], { index: 2, count: 2 });
    const scenario = { name: "database-loss", rto: "1h", rpo: "24h", backups: [] };
    const report = await reportOf({ ...plan, shard, scenario }, facts({ probed: null }));
    expect(report.checks.filter((c) => c.kind === "probe")).toEqual([]);
    expect(report.checks.filter((c) => c.kind === "store")).toHaveLength(shard.artifacts.length);
    expect(report.scenario).toEqual({ name: "database-loss", rto: "1h", rpo: "24h" });
  });

  it("names no source in live mode", async () => {
    const live = { ...plan, mode: { kind: "live" as const, root: "/srv/store", url: "http://x" } };
    const report = await reportOf(live, facts({ restored: null }));
    expect(report.mode).toBe("live");
    expect(report.source).toBeNull();
  });
});
