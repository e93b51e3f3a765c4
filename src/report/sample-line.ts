// What a sampled check (verify --sample, drill --sample) checked, in one line: verify's and the
// drill's own summaries and every rendering of a sampled drill report say it the same way.
import type { ReportSample } from "../documents/drill-report.js";

export function sampleLine(sample: ReportSample): string {
  const percent = `${Number((sample.fraction * 100).toFixed(4))}%`;
  const last = sample.seed + sample.runsToCover - 1;
  return `sampled ${percent} (seed ${sample.seed}): ${sample.contentChecked} artifacts checked in full, ${sample.placeOnly} for place and size only; seeds ${sample.seed} to ${last} check them all`;
}
