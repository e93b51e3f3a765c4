// JUnit XML of a drill report: one testcase per check, so a CI system shows each failure.
import type { DrillReport } from "./drill-report.js";

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

export function renderJUnit(report: DrillReport): string {
  const failures = report.checks.filter((c) => c.status === "failed").length;
  const skipped = report.checks.filter((c) => c.status === "skipped").length;
  const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  const cases = report.checks.map((check) => {
    const open = `    <testcase classname="recoverable.${check.kind}" name="${escapeXML(check.name)}">`;
    if (check.status === "passed") return `${open}</testcase>`;
    if (check.status === "skipped") return `${open}<skipped/></testcase>`;
    const message = `expected ${check.expected}, got ${check.actual}`;
    return `${open}\n      <failure message="${escapeXML(message)}">${escapeXML(`${check.subject}\n${message}`)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="recoverable drill" tests="${report.checks.length}" failures="${failures}" skipped="${skipped}" time="${seconds}">`,
    `  <testsuite name="${escapeXML(`drill ${report.releaseId}`)}" tests="${report.checks.length}" failures="${failures}" skipped="${skipped}" time="${seconds}" timestamp="${report.startedAt}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
