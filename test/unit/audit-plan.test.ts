// audit's planner without the CLI: the configured backups as targets (a bad source or date
// pattern named), --repo after them, --key keys first, the config's bad keys as warnings.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { DrillConfig } from "../../src/documents/drill-config.js";
import { atlasPaths } from "../../src/documents/evidence-paths.js";
import type { Evidence } from "../../src/documents/identity-chain.js";
import type { LoadedEvidence } from "../../src/documents/load-evidence.js";
import { failed, ok, type Checked } from "../../src/findings/checked.js";
import { createFinding } from "../../src/findings/finding.js";
import type { BackupTarget } from "../../src/audit/inspect-backup.js";
import type { TrustedKey } from "../../src/report/trusted-reports.js";
import { planAudit, type AuditLoaded } from "../../src/verbs/audit-plan.js";

const PATHS = atlasPaths(resolve("ops"));
const EVIDENCE = Object.fromEntries(
  Object.entries(PATHS).map(([key, file]) => [key, JSON.parse(readFileSync(file, "utf8"))]),
) as Evidence;
const key = (id: string) => ({ path: `/${id}.pub`, keyId: id.repeat(64) }) as TrustedKey;
const problem = (subject: string) =>
  createFinding("document_invalid", { subject, message: `${subject} is bad` });
const backup = (change: Record<string, unknown>) => ({
  name: "nightly",
  authoritative: true,
  location: null,
  media: null,
  source: null,
  archives: null,
  ...change,
});

function config(backups: unknown[]): DrillConfig {
  return { file: "/work/ops/drill.json", baseDir: "/work", backups } as unknown as DrillConfig;
}

function loaded(change: Partial<AuditLoaded> = {}): AuditLoaded {
  const evidence: LoadedEvidence = { ok: true, evidence: EVIDENCE, files: PATHS };
  return {
    evidence,
    repo: null,
    givenKeys: { keys: [], findings: [] },
    configuredKeys: { keys: [], findings: [] },
    ...change,
  };
}

const subjectsOf = (checked: Checked<unknown>) =>
  checked.ok ? [] : checked.findings.map((f) => f.subject);

describe("planAudit", () => {
  it("a source backup and a folder of archives become targets, --repo after them", () => {
    const repo = ok({ name: "--repo r" } as BackupTarget);
    const archives = { dir: "/a", glob: "*.tar", datePattern: null };
    const plan = planAudit(
      config([backup({ source: "dir:/backup" }), backup({ name: "folder", archives })]),
      loaded({ repo }),
    );
    expect(plan.ok && plan.value.targets.map((t) => [t.name, t.ref?.scheme ?? null])).toEqual([
      ["nightly", "dir"],
      ["folder", null],
      ["--repo r", null],
    ]);
  });

  it("a source and a date pattern the config cannot mean, a bad --repo, --key and evidence are all said", () => {
    const archives = { dir: "/a", glob: "*", datePattern: "YY" };
    const evidence: LoadedEvidence = { ok: false, findings: [problem("packet")] };
    const plan = planAudit(
      config([backup({ source: "ftp://x" }), backup({ archives })]),
      loaded({
        evidence,
        repo: failed(problem("repo")),
        givenKeys: { keys: [], findings: [problem("key")] },
      }),
    );
    expect(subjectsOf(plan)).toEqual([
      "packet",
      "/work/ops/drill.json#/backups/0/source",
      "/work/ops/drill.json#/backups/1/archives/datePattern",
      "repo",
      "key",
    ]);
  });

  it("--key keys come first, the config's not given again; its bad keys are warnings", () => {
    const plan = planAudit(
      config([]),
      loaded({
        givenKeys: { keys: [key("a")], findings: [] },
        configuredKeys: { keys: [key("a"), key("b")], findings: [problem("c.pub")] },
      }),
    );
    expect(plan.ok && plan.value.keys.map((k) => k.path)).toEqual(["/a.pub", "/b.pub"]);
    expect(plan.ok && plan.value.warnings.map((w) => w.severity)).toEqual(["warning"]);
  });
});
