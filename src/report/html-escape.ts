// Escaping for the HTML report (pure). Every value that came from a document, a probe, a
// service or a finding goes through escapeHTML, in text and in (double-quoted) attributes
// alike; class names are never taken from a report, only picked from fixed lists.

export function escapeHTML(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const STATUSES = ["passed", "failed", "skipped"] as const;
const VERDICTS = ["proven", "not_proven", "unusable_input", "could_not_run"] as const;
const SEVERITIES = ["error", "warning", "info"] as const;

const pick =
  <T extends string>(known: readonly T[], fallback: T) =>
  (value: string): T =>
    known.find((token) => token === value) ?? fallback;

/** A status as a class name: one of the known ones, else "failed" (never the raw value). */
export const statusToken = pick(STATUSES, "failed");
export const verdictToken = pick(VERDICTS, "not_proven");
export const severityToken = pick(SEVERITIES, "error");
