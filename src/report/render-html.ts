// The HTML report (pure): one self-contained page of a drill report, for a person in a browser
// or on paper. Verdict and release first, with the first failure and what was not run, then
// RTO and RPO against their targets, the source and its age, the stages as a timeline, the
// findings with what to do, every check in a table that can be filtered by status, the
// service, and how to verify the signature. Light or dark as the reader's system prefers, and
// readable at a phone's width. No external asset; the Content-Security-Policy allows only the
// page's own style and script (by hash). Every value from the report is escaped (html-escape.ts).
import { formatDuration } from "../util/duration.js";
import { VERSION } from "../util/version.js";
import { firstFailure } from "./check-findings.js";
import { CHECK_COLUMNS } from "./check-columns.js";
import { CONTENT_SECURITY_POLICY, SCRIPT, STYLE } from "./html-assets.js";
import { escapeHTML as e, severityToken, statusToken, verdictToken } from "./html-escape.js";
import { drillSpanMs, renderTimeline, stageSeconds } from "./html-timeline.js";
import { DRILL_CONTEXT, verifyCommand, type RenderContext } from "./render-context.js";
import type { DrillReport, Objective, ReportCheck } from "../documents/drill-report.js";
import { sampleLine } from "./sample-line.js";

export { escapeHTML } from "./html-escape.js";

const VERDICT_WORDS = {
  proven: "PROVEN",
  not_proven: "NOT PROVEN",
  unusable_input: "UNUSABLE INPUT",
  could_not_run: "COULD NOT RUN",
} as const;

const VERDICT_SENTENCES = {
  proven: "The release was recovered and proven: every required check passed.",
  not_proven: "The release was NOT proven recoverable: at least one check failed.",
  unusable_input: "The drill could not judge the release: its input was unusable.",
  could_not_run: "The drill could not run to the end: a tool, the service or the machine failed.",
} as const;

/** "0.4 s", "15m", "1d": seconds as the page shows them; "not measured" when unknown. */
function seconds(value: number | null): string {
  if (value === null) return "not measured";
  return value < 60 ? `${Math.round(value * 10) / 10} s` : formatDuration(value * 1000);
}

/** "2026-11-26 06:49:45 UTC" from RFC 3339; the text as it is when it is not a date. */
function when(text: string | null): string {
  if (text === null) return "unknown";
  const time = Date.parse(text);
  if (Number.isNaN(time)) return text;
  return new Date(time)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}

/** The failure the drill stopped at, by its code and subject, and what was not run after it. */
function failureNotes(report: DrillReport): string {
  const first = firstFailure(report);
  // Messages usually start with their subject, which the line already names.
  const message =
    first !== null && first.message.startsWith(`${first.subject}: `)
      ? first.message.slice(first.subject.length + 2)
      : (first?.message ?? "");
  const failure =
    first === null
      ? ""
      : `<p class="first-failure" id="first-failure">First failure: <code>${e(first.code)}</code> <span class="subject">${e(first.subject)}</span>: ${e(message)} (what to do: under Findings)</p>`;
  const skipped = report.checks.filter((c) => c.status === "skipped").length;
  const notRun =
    skipped === 0
      ? ""
      : `<p id="skipped-note">${skipped} of ${report.checks.length} checks were not run; they are listed as skipped under Checks.</p>`;
  return failure + notRun;
}

function banner(report: DrillReport, context: RenderContext): string {
  const verdict = verdictToken(report.verdict);
  const took = drillSpanMs(report.startedAt, report.finishedAt);
  const meta = [
    report.mode === "live" ? "live drill" : "restore drill",
    `finished ${when(report.finishedAt)}`,
    took === null ? null : `took ${stageSeconds(took)}`,
    `recoverable ${report.tool.version}`,
  ].filter((part) => part !== null);
  return `<header class="banner ${verdict}"><div class="banner-inner">
<p class="verdict" id="verdict">${VERDICT_WORDS[verdict]}</p>
<h1>Recovery drill of release <span class="release-id">${e(report.releaseId)}</span></h1>
<p class="identity">Release identity <code>sha256:${e(report.releaseIdentity.sha256)}</code></p>
<p>${VERDICT_SENTENCES[verdict]}</p>
${failureNotes(report)}
<p class="meta" id="meta">${meta.map(e).join(" · ")}</p>
${signatureNote(context)}
</div></header>`;
}

function signatureNote(context: RenderContext): string {
  const key = context.keyId === null ? "" : ` <code>${e(context.keyId)}</code>`;
  switch (context.signature) {
    case "not_checked":
      return `<p class="note" id="signature-note"><strong>Signature not checked.</strong> This page was rendered without <code>--key</code>, so anyone could have written this report. Run the command under “How to verify the signature” before trusting it.</p>`;
    case "verified":
      return `<p class="note trusted" id="signature-note"><strong>Signature verified</strong> with the trusted key${key} when this page was rendered.</p>`;
    case "signed":
      return `<p class="meta" id="signature-note">Signed by the drill that wrote it${context.keyId === null ? "" : `, key${key}`}.</p>`;
    case "unsigned":
      return `<p class="meta" id="signature-note">No signed envelope was written with this page.</p>`;
  }
}

function objectiveCard(name: "RTO" | "RPO", what: string, objective: Objective): string {
  const status = statusToken(objective.status);
  const target =
    objective.targetSeconds === null
      ? "no target set in the rollback policy"
      : `target at most ${seconds(objective.targetSeconds)}`;
  const verdict =
    objective.status === "passed"
      ? "within target"
      : objective.status === "failed"
        ? "over target"
        : "not judged";
  return `<div class="card ${status}" id="${name.toLowerCase()}"><h3>${name}: ${what}</h3>
<p class="seen">${e(seconds(objective.seenSeconds))}</p>
<p>${e(target)} · <span class="badge ${status}">${verdict}</span></p></div>`;
}

function objectives(report: DrillReport): string {
  return `<section id="objectives"><h2>Recovery objectives</h2><div class="cards">
${objectiveCard("RTO", "time to a ready, proven service", report.rto)}
${objectiveCard("RPO", "age of the backup restored", report.rpo)}
</div></section>`;
}

function fact(term: string, value: string | null): string {
  return value === null ? "" : `<dt>${term}</dt><dd>${value}</dd>`;
}

function source(report: DrillReport): string {
  const code = (text: string) => `<code>${e(text)}</code>`;
  const facts =
    report.source === null
      ? [
          fact("Restored from", "nothing: a live store and service were proven as they run"),
          fact("Store root", code(report.storeRoot)),
        ]
      : [
          fact("Restored from", code(report.source.text)),
          fact("Exactly", report.source.resolved === null ? null : code(report.source.resolved)),
          fact("Backup taken", e(when(report.source.backupTime))),
          fact(
            "Age when drilled",
            `${e(seconds(report.rpo.seenSeconds))}${report.rpo.targetSeconds === null ? "" : ` (RPO target ${e(seconds(report.rpo.targetSeconds))})`}`,
          ),
          fact("Restored into", code(report.storeRoot)),
        ];
  facts.push(fact("Service", report.serviceURL === null ? null : code(report.serviceURL)));
  facts.push(fact("Sampled", report.sample === undefined ? null : e(sampleLine(report.sample))));
  return `<section id="source"><h2>Source</h2><dl class="facts">${facts.join("")}</dl></section>`;
}

function findings(report: DrillReport): string {
  const rank = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...report.findings].sort(
    (a, b) => rank[severityToken(a.severity)] - rank[severityToken(b.severity)],
  );
  const items = sorted.map((f) => {
    const severity = severityToken(f.severity);
    const values = [
      f.expected === null ? "" : `<dt>Expected</dt><dd><code>${e(f.expected)}</code></dd>`,
      f.actual === null ? "" : `<dt>Actual</dt><dd><code>${e(f.actual)}</code></dd>`,
    ].join("");
    return `<article class="finding ${severity}"><h3><span class="badge ${severity}">${e(f.severity)}</span><code>${e(f.code)}</code><span>${e(f.subject)}</span></h3>
<p>${e(f.message)}</p>${values === "" ? "" : `<dl class="facts">${values}</dl>`}
<p class="hint"><strong>What to do:</strong> ${e(f.hint)}</p></article>`;
  });
  const body = items.length === 0 ? "<p>No findings.</p>" : items.join("\n");
  return `<section id="findings"><h2>Findings (${report.findings.length})</h2>\n${body}\n</section>`;
}

function checkRow(check: ReportCheck): string {
  const status = statusToken(check.status);
  const cells = CHECK_COLUMNS.map((column) => {
    const more = column.detail?.(check) ?? null;
    const detail = more === null ? "" : `<div class="small">${e(more)}</div>`;
    const fit = column.fit === "plain" ? "" : ` class="${column.fit}"`;
    return `<td${fit}>${e(column.text(check))}${detail}</td>`;
  });
  return `<tr class="${status}" data-status="${status}"><td class="tight"><span class="badge ${status}">${e(check.status)}</span></td>${cells.join("")}</tr>`;
}

function checks(report: DrillReport): string {
  const rank = { failed: 0, skipped: 1, passed: 2 } as const;
  const sorted = [...report.checks].sort(
    (a, b) => rank[statusToken(a.status)] - rank[statusToken(b.status)],
  );
  const count = (status: string) => report.checks.filter((c) => c.status === status).length;
  const button = (filter: string, text: string, pressed: boolean) =>
    `<button type="button" data-filter="${filter}" aria-pressed="${pressed}">${text}</button>`;
  return `<section id="checks"><h2>Checks (${report.checks.length}: ${count("failed")} failed, ${count("skipped")} skipped, ${count("passed")} passed)</h2>
<div class="filters" id="check-filters" role="toolbar" aria-label="Show checks by status" hidden>
${button("all", `All (${report.checks.length})`, true)}
${button("failed", `Failed (${count("failed")})`, false)}
${button("skipped", `Skipped (${count("skipped")})`, false)}
${button("passed", `Passed (${count("passed")})`, false)}
<span class="shown" id="checks-shown" aria-live="polite"></span></div>
<div class="table-wrap"><table id="checks-table">
<thead><tr><th>Status</th>${CHECK_COLUMNS.map((c) => `<th>${e(c.header)}</th>`).join("")}</tr></thead>
<tbody>
${sorted.map(checkRow).join("\n")}
</tbody></table></div></section>`;
}

function service(report: DrillReport): string {
  if (report.service === null) return "";
  const { command, exit, log } = report.service;
  const lines = log === "" ? 0 : log.replace(/\n$/, "").split("\n").length;
  return `<section id="service"><h2>Service</h2><dl class="facts">
${fact("Command", `<code>${e(command.join(" "))}</code>`)}${fact("Exit", e(exit ?? "still running when stopped"))}</dl>
<h3 class="small">Output (${lines} line${lines === 1 ? "" : "s"})</h3>
<pre class="log">${e(log)}</pre></section>`;
}

function howToVerify(report: DrillReport, context: RenderContext): string {
  const where =
    context.envelope === null
      ? "No signed envelope was written with this page; name the envelope that carries this report in the command below."
      : `The signed envelope <code>${e(context.envelope)}</code> is the evidence; this page is only a view of it. Run this in the folder that holds the envelope, with the public key you trust (<code>recoverable keygen</code> writes it as <code>drill.pub</code>, beside the private key):`;
  const key =
    context.keyId === null ? "" : ` It was signed with key id <code>${e(context.keyId)}</code>.`;
  return `<section id="verify"><h2>How to verify the signature</h2>
<p>${where}</p>
<pre><code id="verify-command">${e(verifyCommand(context, report.releaseIdentity.sha256))}</code></pre>
<p>Exit 0 means the signature is valid, the report is about release <code>${e(report.releaseId)}</code> (its identity above) and its verdict is proven; anything else is named in a finding.${key}</p>
</section>`;
}

export function renderHTML(report: DrillReport, context: RenderContext = DRILL_CONTEXT): string {
  const verdict = verdictToken(report.verdict);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="recoverable ${e(VERSION)}">
<title>${VERDICT_WORDS[verdict]} · ${e(report.releaseId)} · recovery drill</title>
<style>${STYLE}</style>
</head>
<body>
${banner(report, context)}
<main>
${objectives(report)}
${source(report)}
<section id="timeline" class="timeline"><h2>Timeline (${report.stages.length} stages)</h2>
${renderTimeline(report.stages, report.startedAt, report.finishedAt)}
</section>
${findings(report)}
${checks(report)}
${service(report)}
${howToVerify(report, context)}
</main>
<footer>Drill started ${e(when(report.startedAt))}, finished ${e(when(report.finishedAt))}. Rendered by recoverable ${e(VERSION)}. This page is self-contained: it loads nothing from anywhere, and works offline and printed.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
