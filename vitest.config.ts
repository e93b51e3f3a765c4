import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// The pure core: modules that decide, render or check values without I/O (no file system,
// process, network or database). Their coverage is measured from the unit tests alone (`npm
// test` runs `vitest run --project unit --coverage`), since the CLI tests run the code in child
// processes, which coverage does not see. Why these: docs/decisions.md, "The example builder and
// tests at the right level".
const PURE_CORE = [
  "src/findings/**/*.ts",
  "src/identity/**/*.ts",
  "src/util/duration.ts",
  "src/policy/rules.ts",
  "src/gate/judge-reports.ts",
  "src/audit/answer.ts",
  "src/audit/backup-answer.ts",
  "src/audit/catalog-answer.ts",
  "src/audit/readiness-answer.ts",
  "src/restore/plan.ts",
  "src/store/sample.ts",
  "src/store/check-sampled.ts",
  "src/verbs/sample-plan.ts",
  "src/policy/sampled-drill.ts",
  "src/report/sample-line.ts",
  "src/verbs/seal-plan.ts",
  "src/verbs/verify-plan.ts",
  "src/verbs/gate-plan.ts",
  "src/gate/decide-gate.ts",
  "src/verbs/report-verify-plan.ts",
  "src/verbs/report-render-plan.ts",
  "src/verbs/report-merge-plan.ts",
  "src/report/check-claims.ts",
  "src/verbs/audit-plan.ts",
  "src/verbs/init-plan.ts",
  "src/restore/guards.ts",
  "src/restore/request.ts",
  "src/drill/stage-clock.ts",
  "src/drill/measure.ts",
  "src/drill/build-report.ts",
  "src/verbs/drill-planner.ts",
  "src/documents/strict-json.ts",
  "src/documents/identity-chain.ts",
  "src/documents/manifest-writer.ts",
  "src/report/check-columns.ts",
  "src/report/check-findings.ts",
  "src/report/dsse.ts",
  "src/report/html-escape.ts",
  "src/report/html-timeline.ts",
  "src/report/render-context.ts",
  "src/report/render-html.ts",
  "src/report/render-junit.ts",
  "src/report/render-markdown.ts",
  "src/report/render-text.ts",
  "src/report/statement.ts",
  "src/probes/expectations.ts",
  "src/probes/json-pointer.ts",
  "src/shard/assign.ts",
  "src/shard/shard-spec.ts",
  "src/snapshots/retention.ts",
  "src/snapshots/find-snapshot.ts",
  "src/snapshots/diff-plan.ts",
  "src/snapshots/compare-tables.ts",
  "src/snapshots/export-recipients.ts",
  "src/snapshots/folder-prune-flags.ts",
  "src/snapshots/prune-rules.ts",
  "src/snapshots/snapshot-invalid.ts",
  "src/snapshots/snapshot-plan.ts",
  "src/archive/entry-rules.ts",
  "src/store/compare-shape.ts",
  "src/store/identity-levels.ts",
  "src/documents/store-path.ts",
  "src/service/redact.ts",
];

export default defineConfig({
  test: {
    setupFiles: ["test/helpers/setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The tests mostly wait on child processes (the CLI, PostgreSQL, restic, chromium), so one
    // test file per core leaves the cores idle; two at once on this 2-core machine take the
    // suite from 11 to 6 minutes.
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: { name: "cli", include: ["test/**/*.test.ts"], exclude: ["test/unit/**"] },
      },
    ],
    coverage: {
      provider: "v8",
      include: PURE_CORE,
      reporter: ["text-summary", "text"],
      reportsDirectory: "coverage",
      thresholds: { lines: 90 },
    },
  },
});
