// A self-contained HTML page of a drill report (no external assets). Every value that came
// from a document, a probe or a service is escaped.
import type { DrillReport } from "./drill-report.js";

export function escapeHTML(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

export function renderHTML(report: DrillReport): string {
  const e = escapeHTML;
  const rows = report.checks
    .map(
      (c) =>
        `<tr class="${c.status}"><td>${e(c.kind)}</td><td>${e(c.name)}</td><td>${e(c.status)}</td><td>${e(c.expected)}</td><td>${e(c.actual)}</td></tr>`,
    )
    .join("\n");
  const stages = report.stages
    .map((s) => `<li>${e(s.name)}: ${e(s.status)}, ${(s.durationMs / 1000).toFixed(2)}s</li>`)
    .join("\n");
  const findings = report.findings
    .map(
      (f) =>
        `<li><b>${e(f.severity)} ${e(f.code)}</b> ${e(f.subject)}: ${e(f.message)}<br><i>${e(f.hint)}</i></li>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drill ${e(report.releaseId)}: ${e(report.verdict)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}.banner{padding:1rem;font-size:1.4rem}.proven{background:#e6f4ea}.failed,.not_proven,.unusable_input,.could_not_run{background:#fce8e6}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}</style>
</head><body>
<div class="banner ${e(report.verdict)}">${e(report.verdict.replaceAll("_", " ").toUpperCase())}: release ${e(report.releaseId)} <code>sha256:${e(report.releaseIdentity.sha256)}</code></div>
<p>RTO ${e(String(report.rto.seenSeconds ?? "unknown"))}s (target ${e(String(report.rto.targetSeconds ?? "none"))}s), RPO ${e(String(report.rpo.seenSeconds ?? "unknown"))}s (target ${e(String(report.rpo.targetSeconds ?? "none"))}s). Source: ${e(report.source?.text ?? "live")}.</p>
<h2>Stages</h2><ol>${stages}</ol>
<h2>Findings</h2><ul>${findings || "<li>none</li>"}</ul>
<h2>Checks</h2><table><tr><th>kind</th><th>name</th><th>status</th><th>expected</th><th>actual</th></tr>
${rows}
</table>
<p>Verify the signature: <code>recoverable report verify &lt;envelope&gt; --key &lt;drill.pub&gt; --release ${e(report.releaseIdentity.sha256)}</code></p>
</body></html>
`;
}
