// JUnit XML of a drill report, valid against the JUnit schema CI servers and Surefire read
// (test/fixtures/junit/junit-10.xsd): one testcase per stage and one per check, the same list for
// every drill of a release whatever happened, so CI trend charts compare like with like. A
// failure says what was expected and what was found, its type is the finding code, its text
// what to do; the service's output goes where CI shows a test's output.
import { FINDING_CATALOGUE, type FindingDefinition } from "../findings/catalogue.js";
import type { Finding } from "../findings/finding.js";
import { CHECK_COLUMNS, pinsLine } from "./check-columns.js";
import { findingsOfCheck, stageFindings } from "./check-findings.js";
import { NOT_CHECKED_NOTE, type RenderContext } from "./render-context.js";
import type { DrillReport, ReportCheck, StageRecord } from "../documents/drill-report.js";
import { sampleLine } from "./sample-line.js";

export function escapeXML(text: string): string {
  // Characters XML 1.0 cannot hold at all are dropped; the five specials are escaped.
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

/** How a test case ended, as JUnit says it: a failure is the recovery's, an error the drill's. */
type Outcome =
  | { readonly kind: "passed" }
  | { readonly kind: "skipped"; readonly message: string }
  | {
      readonly kind: "failure" | "error";
      readonly type: string | null;
      readonly message: string;
      readonly text: string;
    };

type TestCase = {
  readonly classname: string;
  readonly name: string;
  readonly ms: number | null;
  readonly outcome: Outcome;
  readonly output: string | null;
};

/** The stages whose failure the service's own output explains. */
const SERVICE_STAGES = new Set(["start service", "wait for readiness", "probes"]);

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

/** A finding as the text of a failure: what, where, expected and found, what to do. */
function describe(finding: Finding): string {
  const values =
    finding.expected === null && finding.actual === null
      ? []
      : [`expected: ${finding.expected ?? "-"}`, `actual: ${finding.actual ?? "-"}`];
  return [
    `${finding.code} ${finding.subject}`,
    finding.message,
    ...values,
    `What to do: ${finding.hint}`,
  ].join("\n");
}

/** Could-not-run and unusable-input findings are errors of the drill, not of the recovery. */
function isError(finding: Finding): boolean {
  const known = (FINDING_CATALOGUE as Record<string, FindingDefinition | undefined>)[finding.code];
  return known !== undefined && known.failureClass !== "not_proven";
}

function stageCase(stage: StageRecord, report: DrillReport): TestCase {
  const base = { classname: "recoverable.stage", name: stage.name, ms: stage.durationMs };
  if (stage.status === "passed") return { ...base, outcome: { kind: "passed" }, output: null };
  if (stage.status === "skipped") {
    const failed = report.stages.find((s) => s.status === "failed");
    const before =
      failed !== undefined && report.stages.indexOf(failed) < report.stages.indexOf(stage);
    const message = before
      ? `not run: the stage "${failed.name}" failed`
      : "skipped: nothing to do";
    return { ...base, outcome: { kind: "skipped", message }, output: null };
  }
  const own = stageFindings(report);
  const checks = report.checks.filter((c) => c.status === "failed");
  // What stopped the stage: its own finding, else the first failed check's.
  const cause =
    own[0] ??
    (checks[0] === undefined ? undefined : findingsOfCheck(checks[0], report.findings)[0]);
  const checkLine =
    checks.length === 0 ? [] : [`failed checks: ${checks.map((c) => c.name).join(", ")}`];
  const outcome: Outcome = {
    kind: own.some(isError) ? "error" : "failure",
    type: cause?.code ?? null,
    message: cause?.message ?? `${checks.length} check${checks.length === 1 ? "" : "s"} failed`,
    text: [...own.map(describe), ...checkLine].join("\n\n"),
  };
  const output = SERVICE_STAGES.has(stage.name) ? (report.service?.log ?? null) : null;
  return { ...base, outcome, output };
}

function checkCase(check: ReportCheck, report: DrillReport): TestCase {
  const base = {
    classname: `recoverable.${check.kind}`,
    name: check.name,
    ms: check.durationMs ?? null,
    // A store check's level and who pinned its bytes; the schema allows no properties here.
    output: pinsLine(check),
  };
  if (check.status === "passed") return { ...base, outcome: { kind: "passed" } };
  if (check.status === "skipped")
    return { ...base, outcome: { kind: "skipped", message: check.actual } };
  const found = findingsOfCheck(check, report.findings);
  return {
    ...base,
    outcome: {
      kind: "failure",
      type: found[0]?.code ?? null,
      message: `expected ${check.expected}, got ${check.actual}`,
      text: [facts(check), ...found.map(describe)].join("\n\n"),
    },
  };
}

/** A check's columns, one a line ("expected: ..."), as every rendering lists them. */
function facts(check: ReportCheck): string {
  return CHECK_COLUMNS.map((column) => [column.header.toLowerCase(), column.text(check)])
    .filter(([, value]) => value !== "")
    .map(([name, value]) => `${name}: ${value}`)
    .join("\n");
}

function caseXML(test: TestCase): string {
  const time = test.ms === null ? "" : ` time="${seconds(test.ms)}"`;
  const open = `    <testcase classname="${escapeXML(test.classname)}" name="${escapeXML(test.name)}"${time}>`;
  const output =
    test.output === null || test.output === ""
      ? ""
      : `\n      <system-out>${escapeXML(test.output)}</system-out>`;
  const { outcome } = test;
  switch (outcome.kind) {
    case "passed":
      return output === "" ? `${open}</testcase>` : `${open}${output}\n    </testcase>`;
    case "skipped":
      return `${open}\n      <skipped message="${escapeXML(outcome.message)}"/>${output}\n    </testcase>`;
    case "failure":
    case "error": {
      const type = outcome.type === null ? "" : ` type="${escapeXML(outcome.type)}"`;
      return `${open}\n      <${outcome.kind}${type} message="${escapeXML(outcome.message)}">${escapeXML(outcome.text)}</${outcome.kind}>${output}\n    </testcase>`;
    }
  }
}

/**
 * Testsuite properties: what a sampled drill checked (drill --sample), and, from report render,
 * how far the signature was checked.
 */
function properties(report: DrillReport, context: RenderContext | undefined): string[] {
  const property = (name: string, value: string) =>
    `      <property name="recoverable.${name}" value="${escapeXML(value)}"/>`;
  const listed = [
    ...(report.sample === undefined ? [] : [property("sample", sampleLine(report.sample))]),
    ...(context === undefined
      ? []
      : [
          property("signature", context.signature),
          ...(context.keyId === null ? [] : [property("keyId", context.keyId)]),
          ...(context.signature === "not_checked" ? [property("note", NOT_CHECKED_NOTE)] : []),
        ]),
  ];
  return listed.length === 0 ? [] : ["    <properties>", ...listed, "    </properties>"];
}

export function renderJUnit(report: DrillReport, context?: RenderContext): string {
  const cases = [
    ...report.stages.map((stage) => stageCase(stage, report)),
    ...report.checks.map((check) => checkCase(check, report)),
  ];
  const count = (kind: Outcome["kind"]) => cases.filter((c) => c.outcome.kind === kind).length;
  const took = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  const time = Number.isNaN(took) ? "" : ` time="${seconds(took)}"`;
  const totals = `tests="${cases.length}" failures="${count("failure")}" errors="${count("error")}"`;
  const log = report.service?.log ?? "";
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="recoverable drill" ${totals}${time}>`,
    `  <testsuite name="${escapeXML(`drill ${report.releaseId}`)}" ${totals} skipped="${count("skipped")}"${time} timestamp="${escapeXML(report.startedAt)}">`,
    ...properties(report, context),
    ...cases.map(caseXML),
    ...(log === "" ? [] : [`    <system-out>${escapeXML(log)}</system-out>`]),
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
