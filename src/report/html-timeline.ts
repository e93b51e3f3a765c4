// The stages of a drill as an inline SVG chart (pure): one row per stage, its bar placed at
// its start and as long as it took, its duration written beside it. Sized by a viewBox, so it
// scales to the page and prints sharp; coloured by the page's stylesheet, not by attributes.
import type { StageRecord } from "./drill-report.js";
import { escapeHTML as e, statusToken } from "./html-escape.js";

const WIDTH = 960;
const LABEL = 200;
const RIGHT = 90;
const AXIS = 26;
const ROW = 30;
const BAR = 16;
const CHART = WIDTH - LABEL - RIGHT;

/** "181 ms", "2.45 s", "12.4 s", "3 min 05 s": how long a stage took, as a person reads it. */
export function stageSeconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, "0")} s`;
}

/** A tick step of 1, 2 or 5 times a power of ten giving at most six ticks over the span. */
function tickStep(spanMs: number): number {
  const rough = spanMs / 6;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough) ?? 10 * power;
}

function tickLabel(ms: number, step: number): string {
  if (step >= 60_000) return `${ms / 60_000} min`;
  const decimals = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
  return `${(ms / 1000).toFixed(decimals)} s`;
}

/** A long name is cut to fit the label column; its <title> keeps it whole. */
function label(name: string): string {
  return name.length > 28 ? `${name.slice(0, 27)}…` : name;
}

export function renderTimeline(stages: readonly StageRecord[], startedAt: string): string {
  const first = stages[0] ? Date.parse(stages[0].startedAt) : Number.NaN;
  const origin = Number.isNaN(Date.parse(startedAt)) ? first : Date.parse(startedAt);
  const offsets = stages.map((s) => Math.max(0, Date.parse(s.startedAt) - origin || 0));
  const span = Math.max(1, ...stages.map((s, i) => (offsets[i] ?? 0) + s.durationMs));
  const step = tickStep(span);
  const end = Math.ceil(span / step) * step;
  const x = (ms: number) => LABEL + (ms / end) * CHART;
  const height = AXIS + stages.length * ROW + 8;
  const ticks: string[] = [];
  for (let ms = 0; ms <= end + step / 2; ms += step) {
    ticks.push(
      `<line class="grid" x1="${x(ms).toFixed(1)}" y1="${AXIS - 6}" x2="${x(ms).toFixed(1)}" y2="${height - 4}"/>` +
        `<text class="tick" x="${x(ms).toFixed(1)}" y="${AXIS - 10}" text-anchor="middle">${tickLabel(ms, step)}</text>`,
    );
  }
  const rows = stages.map((stage, i) => {
    const top = AXIS + i * ROW;
    const start = x(offsets[i] ?? 0);
    const width = Math.max(
      stage.status === "skipped" ? 6 : 2,
      x((offsets[i] ?? 0) + stage.durationMs) - start,
    );
    const said = stage.status === "skipped" ? "skipped" : stageSeconds(stage.durationMs);
    const status = statusToken(stage.status);
    return [
      `<g class="stage ${status}" data-stage="${e(stage.name)}">`,
      `<title>${e(stage.name)}: ${e(stage.status)}, ${e(said)}, from ${e(stageSeconds(offsets[i] ?? 0))}</title>`,
      `<text class="stage-name" x="${LABEL - 12}" y="${top + ROW / 2 + 4}" text-anchor="end">${e(label(stage.name))}</text>`,
      `<rect class="bar" x="${start.toFixed(1)}" y="${top + (ROW - BAR) / 2}" width="${width.toFixed(1)}" height="${BAR}" rx="3"/>`,
      `<text class="stage-duration" x="${(start + width + 6).toFixed(1)}" y="${top + ROW / 2 + 4}">${e(said)}</text>`,
      `</g>`,
    ].join("");
  });
  const total = stageSeconds(span);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="timeline-title">`,
    `<title id="timeline-title">${stages.length} stages over ${e(total)}</title>`,
    ...ticks,
    ...rows,
    `</svg>`,
  ].join("\n");
}
