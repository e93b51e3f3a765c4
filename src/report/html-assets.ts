// The fixed parts of the HTML report: its stylesheet (screen, light and dark as the reader's
// system prefers, and print, always light), the small script that
// filters the checks table, and a Content-Security-Policy that allows exactly these two by
// hash. Nothing here depends on a report, so the hashes are computed once, and a value that
// slipped through escaping still could neither run a script nor load anything.
import { createHash } from "node:crypto";

export const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--ok:#1a7f37;--ok-bg:#e9f6ec;--bad:#b42318;--bad-bg:#fdeceb;--bad-row:#fff8f7;--warn:#8a5a00;--warn-bg:#fff4d6;--muted:#5d6b7e;--skip-bg:#eef1f5;--line:#d5dbe3;--text:#1d2939;--code-bg:#f4f6f8;--on-status:#fff}
@media screen and (prefers-color-scheme:dark){:root{--bg:#0f141a;--ok:#4ac26b;--ok-bg:#12261a;--bad:#ff7b72;--bad-bg:#2d1416;--bad-row:#22171a;--warn:#e3b341;--warn-bg:#2b2111;--muted:#9aa7b6;--skip-bg:#1e252e;--line:#323c48;--text:#e6edf3;--code-bg:#161d25;--on-status:#0f141a}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--text);background:var(--bg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main,.banner-inner,footer{max-width:72rem;margin:0 auto;padding:0 1.5rem}
h1,h2,h3{line-height:1.25;margin:0}
h2{font-size:1.15rem;margin:2rem 0 .75rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.85em}
code{overflow-wrap:anywhere}
pre{background:var(--code-bg);border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem;white-space:pre-wrap;overflow-wrap:anywhere;margin:.5rem 0}
.banner{padding:1.5rem 0 1.25rem;border-bottom:4px solid var(--bad);background:var(--bad-bg)}
.banner.proven{border-color:var(--ok);background:var(--ok-bg)}
.banner.could_not_run,.banner.unusable_input{border-color:var(--warn);background:var(--warn-bg)}
.verdict{display:inline-block;margin:0 0 .5rem;padding:.2rem .75rem;border-radius:999px;font-weight:700;letter-spacing:.06em;color:var(--on-status);background:var(--bad)}
.proven .verdict{background:var(--ok)}
.could_not_run .verdict,.unusable_input .verdict{background:var(--warn)}
.banner h1{font-size:1.6rem}
.banner p{margin:.35rem 0 0}
.identity code{font-size:.9em}
.first-failure{font-weight:600}
.first-failure code,.first-failure .subject{overflow-wrap:anywhere}
.meta{color:var(--muted);font-size:.9rem}
.note{margin:1rem 0 0;padding:.75rem 1rem;border-left:4px solid var(--warn);background:var(--warn-bg);border-radius:4px}
.note.trusted{border-color:var(--ok);background:var(--ok-bg)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem}
.card{border:1px solid var(--line);border-top:4px solid var(--muted);border-radius:8px;padding:.9rem 1rem}
.card.passed{border-top-color:var(--ok)}
.card.failed{border-top-color:var(--bad)}
.card h3{font-size:.95rem;color:var(--muted);font-weight:600}
.card .seen{font-size:1.9rem;font-weight:700;margin:.2rem 0}
.card p{margin:0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1.25rem;margin:0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;min-width:0}
.timeline svg{width:100%;display:block;overflow:visible;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
.timeline .grid{stroke:var(--line);stroke-width:1}
.timeline text{paint-order:stroke;stroke:var(--bg);stroke-width:3px;stroke-linejoin:round}
.timeline .tick{fill:var(--muted);font-size:11px}
.timeline .stage-name{fill:var(--text);font-size:13px}
.timeline .stage-duration{fill:var(--muted);font-size:12px}
.timeline .bar{fill:var(--muted)}
.timeline .passed .bar{fill:var(--ok)}
.timeline .failed .bar{fill:var(--bad)}
.timeline .skipped .bar{fill:var(--bg);stroke:var(--muted);stroke-dasharray:3 2}
.timeline .failed .stage-name{fill:var(--bad);font-weight:600}
.finding{border:1px solid var(--line);border-left:4px solid var(--muted);border-radius:6px;padding:.75rem 1rem;margin:0 0 .75rem}
.finding.error{border-left-color:var(--bad)}
.finding.warning{border-left-color:var(--warn)}
.finding h3{font-size:1rem;display:flex;flex-wrap:wrap;gap:.5rem;align-items:baseline}
.finding p{margin:.35rem 0 0}
.finding .hint{padding:.4rem .6rem;background:var(--code-bg);border-radius:4px}
.badge{display:inline-block;padding:0 .5rem;border-radius:999px;font-size:.8rem;font-weight:600;white-space:nowrap;background:var(--skip-bg);color:var(--muted)}
.badge.passed{background:var(--ok-bg);color:var(--ok)}
.badge.failed,.badge.error{background:var(--bad-bg);color:var(--bad)}
.badge.warning{background:var(--warn-bg);color:var(--warn)}
.filters[hidden]{display:none}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:0 0 .75rem}
.filters button{font:inherit;font-size:.9rem;padding:.25rem .8rem;border:1px solid var(--line);border-radius:999px;background:var(--bg);color:var(--text);cursor:pointer}
.filters button[aria-pressed="true"]{background:var(--text);border-color:var(--text);color:var(--bg)}
.filters .shown{color:var(--muted);font-size:.9rem}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;vertical-align:top;padding:.45rem .6rem;border-bottom:1px solid var(--line)}
th{position:sticky;top:0;background:var(--bg);color:var(--muted);font-weight:600;border-bottom:2px solid var(--line)}
td{overflow-wrap:break-word}
td.long{overflow-wrap:anywhere;min-width:9rem}
td.tight{white-space:nowrap}
td.num{text-align:right;white-space:nowrap}
tr.failed td{background:var(--bad-row)}
.small{color:var(--muted);font-size:.85em}
pre.log{max-height:24rem;overflow:auto}
footer{margin:2.5rem auto 2rem;color:var(--muted);font-size:.85rem}
@media (max-width:40rem){main,.banner-inner,footer{padding:0 1rem}.banner h1{font-size:1.3rem}dl.facts{grid-template-columns:1fr;gap:0 1rem}dl.facts dd{margin-bottom:.4rem}}
@page{margin:14mm}
@media print{
body{font-size:10.5pt}
.banner,.verdict,.badge,.card,tr.failed td{-webkit-print-color-adjust:exact;print-color-adjust:exact}
main,.banner-inner,footer{max-width:none;padding:0}
.filters{display:none}
tbody tr[hidden]{display:table-row}
th{position:static}
pre.log{max-height:none;overflow:visible}
h2{break-after:avoid}
.card,.finding,tr,.timeline{break-inside:avoid}
}
`;

export const SCRIPT = `
(() => {
  const bar = document.getElementById("check-filters");
  const shown = document.getElementById("checks-shown");
  if (!bar || !shown) return;
  const rows = [...document.querySelectorAll("#checks-table tbody tr")];
  const buttons = [...bar.querySelectorAll("button[data-filter]")];
  const apply = (filter) => {
    let count = 0;
    for (const row of rows) {
      row.hidden = filter !== "all" && row.dataset.status !== filter;
      if (!row.hidden) count += 1;
    }
    for (const button of buttons)
      button.setAttribute("aria-pressed", String(button.dataset.filter === filter));
    shown.textContent = filter === "all" ? "" : "Showing " + count + " of " + rows.length + " checks.";
  };
  for (const button of buttons) button.addEventListener("click", () => apply(button.dataset.filter));
  bar.hidden = false;
})();
`;

const hashOf = (text: string) =>
  `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** Only this stylesheet and this script; no fetch, image, font, frame, form or base URL. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${hashOf(STYLE)}`,
  `script-src ${hashOf(SCRIPT)}`,
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");
