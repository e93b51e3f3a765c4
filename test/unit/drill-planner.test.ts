// planDrill, the drill's pure planner: the flags and the loaded inputs in, one plan or every
// finding out, judged here flag by flag without spawning anything. The inputs are the bundled
// example's, loaded once.
import { generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RestoreSource } from "../../src/archive/source.js";
import { failed, ok } from "../../src/findings/checked.js";
import { createFinding } from "../../src/findings/finding.js";
import { createSigner } from "../../src/report/signing.js";
import type { DrillInputs } from "../../src/verbs/drill-load.js";
import type { DrillOptions } from "../../src/verbs/drill-options.js";
import { planDrill, type DrillJob } from "../../src/verbs/drill-planner.js";
import { EXAMPLE_ROOT, loadExampleInputs } from "../helpers/example-inputs.js";
import { flagsOfAll, planAllBackups } from "../../src/verbs/drill-all.js";

let inputs: DrillInputs;
let source: RestoreSource;

beforeAll(async () => {
  const loaded = await loadExampleInputs();
  const { config, evidence, ref } = loaded;
  source = loaded.source;
  const { privateKey } = generateKeyPairSync("ed25519");
  const signer = createSigner(privateKey.export({ type: "pkcs8", format: "pem" }).toString());
  inputs = {
    context: { cwd: EXAMPLE_ROOT, config, evidence: config.evidence },
    backup: null,
    signer: ok(signer),
    ref: ok(ref),
    identity: null,
    source: ok(source),
    evidence,
  };
});

function planned(options: DrillOptions, change: Partial<DrillInputs> = {}): DrillJob {
  const job = planDrill(options, { ...inputs, ...change }, TODAY);
  if (!job.ok) throw new Error(job.findings.map((f) => f.message).join("; "));
  return job.value;
}

function refused(options: DrillOptions, change: Partial<DrillInputs> = {}) {
  const job = planDrill(options, { ...inputs, ...change }, TODAY);
  if (job.ok) throw new Error("expected findings, got a plan");
  return { findings: job.findings };
}

const TODAY = new Date("2026-12-07T12:00:00Z");

const usage = (subject: string) => createFinding("usage_invalid", { subject, message: subject });

describe("planDrill, given a source and a key", () => {
  it("plans a restore drill of the source into the OS temp, scratch removed, no shard or scenario", () => {
    const job = planned({ source: "dir:ops/store" });
    expect(job.plan.mode).toEqual({ kind: "restore", source, scratchParent: null, keep: false });
    expect(job.plan.shard).toBeNull();
    expect(job.plan.scenario).toBeNull();
    expect(job.plan.allowDowngrade).toBe(false);
    expect(job.release.releaseId).toBe(job.plan.evidence.packet.release.id);
  });

  it("resolves --scratch and --out against the working directory and keeps the scratch with --keep", () => {
    const job = planned({ source: "dir:ops/store", scratch: "tmp", keep: true, out: "r" });
    expect(job.plan.mode).toMatchObject({ scratchParent: join(EXAMPLE_ROOT, "tmp"), keep: true });
    expect(job.out).toEqual({ kind: "given", dir: join(EXAMPLE_ROOT, "r") });
  });

  it("puts the outputs in the reports folder, the backup's name last, without --out", () => {
    const job = planned({ backup: "Nightly Copy" }, { backup: ok("dir:ops/store") });
    expect(job.out).toEqual({
      kind: "reports",
      dir: inputs.context.config.reportsDir,
      prefix: job.release.releaseId,
      suffix: "-nightly-copy",
    });
  });

  it("selects the shard's artifacts with --shard and says an unreadable one", () => {
    const job = planned({ source: "dir:ops/store", shard: "1/2" });
    expect(job.plan.shard?.spec).toEqual({ index: 1, count: 2 });
    expect(refused({ source: "dir:ops/store", shard: "3/2" })).toHaveFinding(
      "usage_invalid",
      "--shard",
    );
  });

  it("plans no sample without --sample; --sample takes a fraction and a seed, by default the day", () => {
    expect(planned({ source: "dir:ops/store" }).plan.sample).toBeNull();
    const seeded = planned({ source: "dir:ops/store", sample: "50%", seed: "3" });
    expect(seeded.plan.sample).toEqual({ fraction: 0.5, seed: 3 });
    // 2026-12-07 is day 20,794 of the epoch: daily drills rotate by themselves.
    expect(planned({ source: "dir:ops/store", sample: "0.05" }).plan.sample).toEqual({
      fraction: 0.05,
      seed: 20_794,
    });
  });

  it("refuses --seed alone, a bad fraction or seed, and --sample with --shard, as verify does", () => {
    const source = "dir:ops/store";
    expect(refused({ source, seed: "3" })).toHaveFinding("usage_invalid", "--seed");
    const bad = refused({ source, sample: "150%", seed: "x" });
    expect(bad).toHaveFinding("usage_invalid", "--sample");
    expect(bad).toHaveFinding("usage_invalid", "--seed");
    expect(refused({ source, sample: "5%", shard: "1/2" })).toHaveFinding(
      "usage_invalid",
      "--sample",
    );
  });

  it("passes --allow-downgrade on to the policy stage", () => {
    expect(planned({ source: "dir:ops/store", allowDowngrade: true }).plan.allowDowngrade).toBe(
      true,
    );
  });

  it("refuses a --scenario the rollback policy does not have", () => {
    expect(refused({ source: "dir:ops/store", scenario: "flood" })).toHaveFinding(
      "usage_invalid",
      "--scenario",
    );
  });
});

describe("planDrill, in live mode", () => {
  it("plans a live drill of --root and --url, restoring nothing", () => {
    const job = planned(
      { live: true, root: "ops/store", url: "http://127.0.0.1:1/" },
      { source: null, ref: null },
    );
    expect(job.plan.mode).toEqual({
      kind: "live",
      root: join(EXAMPLE_ROOT, "ops/store"),
      url: "http://127.0.0.1:1/",
    });
  });

  it("refuses --live without --url, and --live with --source", () => {
    expect(refused({ live: true, root: "ops/store" }, { source: null, ref: null })).toHaveFinding(
      "usage_invalid",
      "--live",
    );
    const both = refused({ live: true, root: "s", url: "http://x", source: "dir:ops/store" });
    expect(both).toHaveFinding("usage_invalid", "--source");
  });

  it("refuses --root or --url without --live, naming the one given", () => {
    expect(refused({ source: "dir:ops/store", root: "s" })).toHaveFinding(
      "usage_invalid",
      "--root",
    );
    expect(refused({ source: "dir:ops/store", url: "http://x" })).toHaveFinding(
      "usage_invalid",
      "--url",
    );
  });
});

describe("planDrill, with bad inputs", () => {
  it("says how to make a key when there is none", () => {
    const result = refused({ source: "dir:ops/store" }, { signer: null });
    expect(result).toHaveFinding("usage_invalid", "--key");
    expect(result.findings[0]?.message).toContain("recoverable keygen");
  });

  it("reports every bad input at once, flags first, in the order they are read", () => {
    const result = refused(
      { live: true, root: "s" },
      {
        backup: failed(usage("backup")),
        signer: failed(usage("signer")),
        ref: failed(usage("ref")),
        identity: failed(usage("identity")),
        source: null,
        evidence: { ok: false, findings: [usage("evidence")] },
      },
    );
    expect(result.findings.map((f) => f.subject)).toEqual([
      "--live",
      "backup",
      "signer",
      "ref",
      "identity",
      "evidence",
    ]);
  });

  it("refuses a source that could not be opened", () => {
    const result = refused({ source: "dir:ops/store" }, { source: failed(usage("source")) });
    expect(result.findings.map((f) => f.subject)).toEqual(["source"]);
  });
});

describe("drill --all-backups, planned", () => {
  it("refuses --source, --live and --shard, which name one drill", () => {
    for (const [options, flag] of [
      [{ source: "dir:x" }, "--source"],
      [{ live: true }, "--live"],
      [{ shard: "1/2" }, "--shard"],
    ] as const)
      expect(flagsOfAll(options)).toHaveFinding("usage_invalid", flag);
    expect(flagsOfAll({ live: false }).ok).toBe(true);
  });

  it("refuses a drill config with no backups", () => {
    const config = { ...inputs.context.config, backups: [] };
    expect(planAllBackups({}, config, EXAMPLE_ROOT)).toHaveFinding(
      "usage_invalid",
      "--all-backups",
    );
  });

  it("gives each backup its own folder under --out, numbering a name two backups share", () => {
    const one = {
      name: "Night",
      source: "dir:a",
      archives: null,
      authoritative: true,
      location: null,
      media: null,
    };
    const config = {
      ...inputs.context.config,
      backups: [one, { ...one, name: "night" }, { ...one, name: "weekly" }],
    };
    const planned = planAllBackups({ out: "reports" }, config, EXAMPLE_ROOT);
    if (!planned.ok) throw new Error("not planned");
    expect(planned.value.map((p) => [p.options.backup, p.options.out])).toEqual([
      ["Night", join(EXAMPLE_ROOT, "reports", "night")],
      ["night", join(EXAMPLE_ROOT, "reports", "night-2")],
      ["weekly", join(EXAMPLE_ROOT, "reports", "weekly")],
    ]);
    const unfoldered = planAllBackups({}, config, EXAMPLE_ROOT);
    expect(unfoldered.ok && unfoldered.value[0]?.options.out).toBeUndefined();
  });
});
