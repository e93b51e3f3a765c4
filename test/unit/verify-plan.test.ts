// verify's planner, flag by flag, without the CLI: the store root, --shard with its signing key
// and --out, and --key or --out without --shard refused; --sample with its --seed.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { DrillConfig } from "../../src/documents/drill-config.js";
import { atlasPaths } from "../../src/documents/evidence-paths.js";
import { failed, ok, type Checked } from "../../src/findings/checked.js";
import { createFinding } from "../../src/findings/finding.js";
import { createSigner, type Signer } from "../../src/report/signing.js";
import type { Context } from "../../src/verbs/evidence-context.js";
import { planVerify } from "../../src/verbs/verify-plan.js";

function context(storeRoot: string | null): Context {
  const config = { storeRoot, evidence: atlasPaths("/work/ops") } as unknown as DrillConfig;
  return { cwd: "/work", config, evidence: config.evidence };
}

const { privateKey } = generateKeyPairSync("ed25519");
const SIGNER = ok(createSigner(privateKey.export({ type: "pkcs8", format: "pem" }).toString()));
const NO_KEY = failed<Signer>(
  createFinding("usage_invalid", { subject: "--key", message: "no signing key" }),
);

const TODAY = new Date("2026-12-07T12:00:00Z");

function subjectsOf(checked: Checked<unknown>): (string | undefined)[] {
  return checked.ok ? [] : checked.findings.map((f) => f.subject);
}

describe("planVerify", () => {
  it("a whole verify of the config's store root, not strict, with no shard", () => {
    const plan = planVerify({}, context("/work/store"), null, TODAY);
    expect(plan.ok && plan.value).toMatchObject({
      root: "/work/store",
      strict: false,
      shard: null,
      paths: atlasPaths("/work/ops"),
    });
  });

  it("--root wins, --strict is kept", () => {
    const plan = planVerify({ root: "data", strict: true }, context("/s"), null, TODAY);
    expect(plan.ok && [plan.value.root, plan.value.strict]).toEqual(["/work/data", true]);
  });

  it("--shard with a signer plans the shard; --out is resolved, else left to the reports dir", () => {
    const plan = planVerify({ shard: "2/4", out: "out" }, context("/s"), SIGNER, TODAY);
    expect(plan.ok && plan.value.shard).toMatchObject({
      spec: { index: 2, count: 4 },
      out: "/work/out",
    });
    const defaultOut = planVerify({ shard: "1/1" }, context("/s"), SIGNER, TODAY);
    expect(defaultOut.ok && defaultOut.value.shard?.out).toBeNull();
  });

  it("no root, a bad shard and no key are all said, in that order", () => {
    const plan = planVerify({ shard: "5/4" }, context(null), NO_KEY, TODAY);
    expect(subjectsOf(plan)).toEqual(["--root", "--shard", "--key"]);
  });

  it("a bad shard alone, or a missing key alone, refuses the plan", () => {
    expect(subjectsOf(planVerify({ shard: "0/4" }, context("/s"), SIGNER, TODAY))).toEqual([
      "--shard",
    ]);
    expect(subjectsOf(planVerify({ shard: "1/4" }, context("/s"), NO_KEY, TODAY))).toEqual([
      "--key",
    ]);
  });

  it("--key and --out without --shard are refused: a whole verify writes nothing", () => {
    const plan = planVerify({ key: "drill.key", out: "out" }, context("/s"), null, TODAY);
    expect(subjectsOf(plan)).toEqual(["--key", "--out"]);
  });

  it("no sample unless --sample; --sample takes a fraction and a seed, by default the day", () => {
    const whole = planVerify({}, context("/s"), null, TODAY);
    expect(whole.ok && whole.value.sample).toBeNull();
    const seeded = planVerify({ sample: "5%", seed: "7" }, context("/s"), null, TODAY);
    expect(seeded.ok && seeded.value.sample).toEqual({ fraction: 0.05, seed: 7 });
    const daily = planVerify({ sample: "0.1" }, context("/s"), null, TODAY);
    expect(daily.ok && daily.value.sample).toEqual({ fraction: 0.1, seed: 20_794 });
  });

  it("refuses --seed alone, a bad fraction or seed, and --sample with --shard", () => {
    expect(subjectsOf(planVerify({ seed: "7" }, context("/s"), null, TODAY))).toEqual(["--seed"]);
    const bad = planVerify({ sample: "150%", seed: "x" }, context("/s"), null, TODAY);
    expect(subjectsOf(bad)).toEqual(["--sample", "--seed"]);
    const both = planVerify({ sample: "5%", shard: "1/4" }, context("/s"), SIGNER, TODAY);
    expect(subjectsOf(both)).toEqual(["--sample"]);
  });
});
