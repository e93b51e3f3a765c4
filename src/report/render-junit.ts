// JUnit XML of a drill report: one testcase per check, so a CI system shows each failure.
import type { DrillReport } from "./drill-report.js";
import { NOT_CHECKED_NOTE, type RenderContext } from "./render-context.js";

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

/** report render says how far the signature was checked, as testsuite properties. */
function properties(context: RenderContext | undefined): string[] {
  if (context === undefined) return [];
  const property = (name: string, value: string) =>
    `      <property name="recoverable.${name}" value="${escapeXML(value)}"/>`;
  return [
    "    <properties>",
    property("signature", context.signature),
    ...(context.keyId === null ? [] : [property("keyId", context.keyId)]),
    ...(context.signature === "not_checked" ? [property("note", NOT_CHECKED_NOTE)] : []),
    "    </properties>",
  ];
}

/** A store check's level and who pinned its bytes, as testcase properties (docs/live-data.md). */
function pinProperties(check: DrillReport["checks"][number]): string {
  if (check.pinnedBy === undefined) return "";
  return [
    "      <properties>",
    `        <property name="recoverable.level" value="${escapeXML(check.level ?? "bytes")}"/>`,
    `        <property name="recoverable.pinnedBy" value="${escapeXML(check.pinnedBy)}"/>`,
    "      </properties>",
  ].join("\n");
}

export function renderJUnit(report: DrillReport, context?: RenderContext): string {
  const failures = report.checks.filter((c) => c.status === "failed").length;
  const skipped = report.checks.filter((c) => c.status === "skipped").length;
  const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  const cases = report.checks.map((check) => {
    const open = `    <testcase classname="recoverable.${escapeXML(check.kind)}" name="${escapeXML(check.name)}">`;
    const pins = pinProperties(check);
    if (check.status === "passed")
      return pins === "" ? `${open}</testcase>` : `${open}\n${pins}\n    </testcase>`;
    if (check.status === "skipped")
      return pins === ""
        ? `${open}<skipped/></testcase>`
        : `${open}\n${pins}\n      <skipped/>\n    </testcase>`;
    const message = `expected ${check.expected}, got ${check.actual}`;
    return `${open}\n${pins === "" ? "" : `${pins}\n`}      <failure message="${escapeXML(message)}">${escapeXML(`${check.subject}\n${message}`)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="recoverable drill" tests="${report.checks.length}" failures="${failures}" skipped="${skipped}" time="${seconds}">`,
    `  <testsuite name="${escapeXML(`drill ${report.releaseId}`)}" tests="${report.checks.length}" failures="${failures}" skipped="${skipped}" time="${seconds}" timestamp="${escapeXML(report.startedAt)}">`,
    ...properties(context),
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
