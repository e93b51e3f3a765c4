// The stages of a drill as an inline SVG chart (pure): a row per stage, its name and duration
// on one line and its bar below, placed at its start and as long as it took, on an axis that
// spans the whole drill (startedAt to finishedAt), so the chart's total is the time the page's
// header states. Every x is a percentage of the chart's width and there is no viewBox: the
// chart fills any width, from a phone's to a printed page's, while its text keeps its size.
// Coloured by the page's stylesheet, not by attributes.
import { escapeHTML as e, statusToken } from "./html-escape.js";
import type { StageRecord } from "../documents/drill-report.js";

const AXIS = 24;
const ROW = 40;
const LABEL_Y = 15;
const BAR_Y = 21;
const BAR = 12;

/** "181 ms", "2.45 s", "12.4 s", "3 min 05 s": how long a stage took, as a person reads it. */
export function stageSeconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, "0")} s`;
}

/** A tick step of 1, 2 or 5 times a power of ten giving at most five ticks over the span. */
function tickStep(spanMs: number): number {
  const rough = spanMs / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough) ?? 10 * power;
}

function tickLabel(ms: number, step: number): string {
  if (step >= 60_000) return `${ms / 60_000} min`;
  const decimals = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
  return `${(ms / 1000).toFixed(decimals)} s`;
}

/** A long name is cut; its <title> keeps it whole. */
function label(name: string): string {
  return name.length > 40 ? `${name.slice(0, 39)}…` : name;
}

const percent = (value: number) => `${Math.min(100, Math.max(0, value)).toFixed(2)}%`;

/** How long the drill took by its own clock, when both times are dates. */
export function drillSpanMs(startedAt: string, finishedAt: string): number | null {
  const took = Date.parse(finishedAt) - Date.parse(startedAt);
  return Number.isNaN(took) ? null : Math.max(0, took);
}

export function renderTimeline(
  stages: readonly StageRecord[],
  startedAt: string,
  finishedAt: string,
): string {
  const first = stages[0] ? Date.parse(stages[0].startedAt) : Number.NaN;
  const origin = Number.isNaN(Date.parse(startedAt)) ? first : Date.parse(startedAt);
  const offsets = stages.map((s) => Math.max(0, Date.parse(s.startedAt) - origin || 0));
  // The whole drill, or as far as its stages reach when its own times say less.
  const span = Math.max(
    1,
    drillSpanMs(startedAt, finishedAt) ?? 0,
    ...stages.map((s, i) => (offsets[i] ?? 0) + s.durationMs),
  );
  const step = tickStep(span);
  const x = (ms: number) => (ms / span) * 100;
  const height = AXIS + stages.length * ROW + 4;
  const ticks: string[] = [];
  for (let ms = 0; ms <= span; ms += step) {
    const at = x(ms);
    // The first label starts at the left edge, the last one that fits ends before the right.
    const anchor = ms === 0 ? "start" : at > 92 ? "end" : "middle";
    ticks.push(
      `<line class="grid" x1="${percent(at)}" y1="${AXIS - 6}" x2="${percent(at)}" y2="${height}"/>` +
        `<text class="tick" x="${percent(at)}" y="${AXIS - 10}" text-anchor="${anchor}">${tickLabel(ms, step)}</text>`,
    );
  }
  const rows = stages.map((stage, i) => {
    const top = AXIS + i * ROW;
    const skipped = stage.status === "skipped";
    // A bar too short to see is drawn a little wider, never past the end.
    const width = Math.max(skipped ? 1 : 0.4, x(stage.durationMs));
    const start = Math.min(x(offsets[i] ?? 0), 100 - width);
    const said = skipped ? "skipped" : stageSeconds(stage.durationMs);
    const status = statusToken(stage.status);
    return [
      `<g class="stage ${status}" data-stage="${e(stage.name)}">`,
      `<title>${e(stage.name)}: ${e(stage.status)}, ${e(said)}, from ${e(stageSeconds(offsets[i] ?? 0))}</title>`,
      `<text x="0" y="${top + LABEL_Y}"><tspan class="stage-name">${e(label(stage.name))}</tspan> <tspan class="stage-duration">${e(said)}</tspan></text>`,
      `<rect class="bar" x="${percent(start)}" y="${top + BAR_Y}" width="${percent(width)}" height="${BAR}" rx="3"/>`,
      `</g>`,
    ].join("");
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="${height}" role="img" aria-labelledby="timeline-title">`,
    `<title id="timeline-title">${stages.length} stages over ${e(stageSeconds(span))}</title>`,
    ...ticks,
    ...rows,
    `</svg>`,
  ].join("\n");
}
