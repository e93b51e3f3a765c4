// drill --sample, as an operator runs it on the bundled example: the signed report states the
// fraction, the seed and what was checked in full or for place and size only; report verify
// accepts it; gate and audit count it only when the rollback policy allows sampled drills
// (drills.allowSampled); drills with consecutive seeds check every artifact in full.
import { cpSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { PublicAnswer } from "../src/audit/answer.js";
import type { DrillReport } from "../src/documents/drill-report.js";
import { PLACE_ONLY } from "../src/report/drill-report.js";
import type { VerifySample } from "../src/verbs/verify.js";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";

const PUB = ".recoverable/keys/drill.pub";
const POLICY = "ops/datasets/rollback-policy.json";

/** The result's sample, as verify and drill both give it. */
type Sample = VerifySample;

let example: ExampleCopy;
/** The paths the seed 3 drill's result lists as checked in full. */
let firstPaths: readonly string[] = [];
beforeAll(() => {
  example = copyExample();
  example.editDrillConfig((config) => {
    config["reports"] = { dir: "drill-reports", trustedKeys: [PUB] };
  });
  // The backup's age is its newest file's: fresh, so RPO and audit's freshness hold.
  const now = new Date();
  for (const entry of readdirSync(example.path("ops/store"), {
    withFileTypes: true,
    recursive: true,
  }))
    utimesSync(join(entry.parentPath, entry.name), now, now);
});

/** A test that runs drills (and a seal) takes long on a busy machine. */
const DRILLS_MS = 240_000;

const run = (args: readonly string[]): CLIRun => runCLI(args, { cwd: example.dir });

/** A drill of a fresh copy of the example's store, sampled with this seed. */
function drill(seed: number, json = true): CLIRun {
  rmSync(example.path("backup"), { recursive: true, force: true });
  cpSync(example.path("ops/store"), example.path("backup"), { recursive: true });
  const out = `drill-reports/seed-${seed}`;
  const args = ["drill", "--source", "dir:backup", "--out", out, "--sample", "50%"];
  return run([...args, "--seed", String(seed), ...(json ? ["--json"] : [])]);
}

const reportOf = (seed: number): DrillReport =>
  JSON.parse(
    readFileSync(example.path(`drill-reports/seed-${seed}/drill-report.json`), "utf8"),
  ) as DrillReport;

const envelopeOf = (seed: number) => `drill-reports/seed-${seed}/drill-report.dsse.json`;

/** The store checks of a report whose content the drill checked in full. */
function checkedInFull(report: DrillReport): string[] {
  return report.checks
    .filter((c) => c.kind === "store" && c.status === "passed" && c.actual !== PLACE_ONLY)
    .filter((c) => !c.subject.startsWith("disposable "))
    .map((c) => c.name);
}

function readiness(result: CLIRun): PublicAnswer {
  const answers = result.json()["answers"] as PublicAnswer[];
  return answers.find((a) => a.id === "readiness") as PublicAnswer;
}

describe("drill --sample", () => {
  it("refuses --seed without --sample and --sample with --shard, as verify does", () => {
    for (const [args, subject] of [
      [["--seed", "3"], "--seed"],
      [["--sample", "0%"], "--sample"],
      [["--sample", "5%", "--shard", "1/2"], "--sample"],
    ] as const) {
      const refused = run(["drill", "--source", "dir:ops/store", "--json", ...args]);
      expect(refused.code, args.join(" ")).toBe(2);
      expect(refused.json()).toHaveFinding("usage_invalid", subject);
    }
  });

  it(
    "signs a report stating the fraction, the seed and the counts; report verify accepts it",
    () => {
      const drilled = drill(3);
      expect(drilled.code, drilled.stdout).toBe(0);
      const sample = drilled.json()["sample"] as Sample;
      expect(sample).toMatchObject({ fraction: 0.5, seed: 3, runsToCover: 2 });
      expect(sample.paths).toEqual(
        expect.arrayContaining([
          "datasets/airports.sqlite",
          "datasets/cities.sqlite",
          "datasets/gazetteer.pgdump",
          "datasets/weather-normals.sqlite",
        ]),
      );
      expect(sample.contentChecked).toBe(sample.paths.length);
      firstPaths = sample.paths;
      const report = reportOf(3);
      const counts = {
        fraction: sample.fraction,
        seed: sample.seed,
        contentChecked: sample.contentChecked,
        placeOnly: sample.placeOnly,
        runsToCover: sample.runsToCover,
      };
      expect(report.sample).toEqual(counts);
      const store = report.checks.filter((c) => c.kind === "store");
      expect(sample.contentChecked + sample.placeOnly).toBe(store.length);
      // Each unsampled artifact's check says place and size only; none in the sample does.
      for (const check of store.filter((c) => !c.subject.startsWith("disposable ")))
        expect(check.actual, check.name).toBe(
          sample.paths.includes(check.name) ? "as expected" : PLACE_ONLY,
        );
      expect(store.some((c) => c.actual === PLACE_ONLY)).toBe(true);
      // The signed envelope carries the same report.
      const envelope = JSON.parse(readFileSync(example.path(envelopeOf(3)), "utf8")) as {
        payload: string;
      };
      const statement = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as {
        predicate: DrillReport;
      };
      expect(statement.predicate.sample).toEqual(counts);
      const identity = report.releaseIdentity.sha256;
      const verified = run([
        "report",
        "verify",
        envelopeOf(3),
        "--key",
        PUB,
        "--release",
        identity,
      ]);
      expect(verified.code, verified.stdout).toBe(0);
    },
    DRILLS_MS,
  );

  it("gate refuses it under the default policy, and audit does not count it", () => {
    const gate = run(["gate", "--json"]);
    expect(gate.code, gate.stdout).toBe(1);
    expect(gate.json()).toHaveFinding("drill_sampled", envelopeOf(3));
    const requirements = gate.json()["requirements"] as { name: string; passed: boolean }[];
    expect(requirements.find((r) => r.name === "drill report")?.passed).toBe(false);
    const text = run(["gate"]);
    expect(text.stdout).toMatch(/run a drill without --sample, or set drills\.allowSampled/);

    const audit = run(["audit", "--json"]);
    expect(audit.code, audit.stdout).toBe(1);
    expect(audit.json()).toHaveFinding("drill_sampled", envelopeOf(3));
    expect(audit.json()["lastDrill"]).toBeNull();
    expect(readiness(audit).status).toBe("missing");
    expect(readiness(audit).facts).toContain(
      `1 proven drill was sampled (drill --sample) and not counted: the rollback policy does not allow sampled drills (/drills/allowSampled); the newest is ${envelopeOf(3)}, sampled 50% (seed 3).`,
    );
  });

  it(
    "seeds 3 to 3 + runsToCover - 1 together check every artifact in full",
    () => {
      const next = drill(4);
      expect(next.code, next.stdout).toBe(0);
      const runs = (next.json()["sample"] as Sample).runsToCover;
      expect(runs).toBe(2);
      const reports = [reportOf(3), reportOf(4)];
      const covered = new Set(reports.flatMap(checkedInFull));
      const store = reports[0]?.checks.filter((c) => c.kind === "store") ?? [];
      const required = store.filter((c) => !c.subject.startsWith("disposable ")).map((c) => c.name);
      expect([...covered].sort()).toEqual([...required].sort());
      // Neither alone did: the sample is a real share.
      for (const report of reports)
        expect(checkedInFull(report).length).toBeLessThan(required.length);
      // The results' lists cover every artifact, disposable ones too.
      const paths = new Set([...firstPaths, ...(next.json()["sample"] as Sample).paths]);
      expect(paths.size).toBe(store.length);
    },
    DRILLS_MS,
  );

  it(
    "with drills.allowSampled true, gate and audit count a sampled drill and say it was sampled",
    () => {
      const policy = JSON.parse(readFileSync(example.path(POLICY), "utf8")) as {
        drills: Record<string, unknown>;
      };
      policy.drills["allowSampled"] = true;
      writeFileSync(example.path(POLICY), JSON.stringify(policy, null, 2));
      example.seal("atlas-2026.11.2", "2026.11.2");
      const drilled = drill(5, false);
      expect(drilled.code, drilled.stdout).toBe(0);
      expect(drilled.stdout).toMatch(
        /sampled 50% \(seed 5\): \d+ artifacts checked in full, \d+ for place and size only; seeds 5 to 6 check them all/,
      );
      const gate = run(["gate", "--json"]);
      expect(gate.code, gate.stdout).toBe(0);
      const requirements = gate.json()["requirements"] as { name: string; why: string }[];
      expect(requirements.find((r) => r.name === "drill report")?.why).toMatch(
        /sampled 50% \(seed 5\) as \/drills\/allowSampled allows/,
      );
      const audit = run(["audit", "--json"]);
      expect(audit.code, audit.stdout).toBe(0);
      expect(audit.json()["lastDrill"]).toMatchObject({ file: envelopeOf(5) });
      expect(readiness(audit).status).toBe("answered");
    },
    DRILLS_MS,
  );
});
