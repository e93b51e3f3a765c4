// The many-files case's verbs, what each needs run before it, and how a run of some of them is
// merged into bench/results.json with the last figures of the others (`--verbs`, `--sizes`).
import { round } from "./runner.mjs";

/** The verbs whose peak memory must not grow with the number of files (issue 21). */
export const MANY_FILES_VERBS = [
  "seal",
  "verify",
  "verify --shard 1/4",
  "report merge",
  "restore dir:",
  "drill (with a service)",
  "snapshot",
  "snapshots validate",
];

/** What each verb needs run first in the same run: the release, the shards, the snapshot. */
const NEEDS = {
  "report merge": ["verify --shard 1/4"],
  "snapshots validate": ["snapshot"],
};

/** The baseline each verb is compared with in `ratios`, by its key in a size's `baselines`. */
export const BASELINE_OF = { verify: "hash", "restore dir:": "cp", snapshot: "tar" };

/** `chosen` and every verb it needs (seal always), in MANY_FILES_VERBS order. */
export function verbsToRun(chosen) {
  const wanted = new Set(["seal", ...chosen]);
  for (const verb of chosen) for (const need of NEEDS[verb] ?? []) wanted.add(need);
  return MANY_FILES_VERBS.filter((verb) => wanted.has(verb));
}

/** "verify,restore dir:" -> ["verify", "restore dir:"]; throws, naming the verbs, on another name. */
export function parseVerbs(text) {
  const names = String(text)
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const unknown = names.filter((name) => !MANY_FILES_VERBS.includes(name));
  if (names.length === 0 || unknown.length > 0)
    throw new Error(
      `--verbs ${text}: expected names from ${MANY_FILES_VERBS.map((v) => `"${v}"`).join(", ")}, ` +
        "separated by commas",
    );
  return MANY_FILES_VERBS.filter((verb) => names.includes(verb));
}

/** Figures of one size: `fresh` (this run) over `old` (results.json's), each with its date. */
function mergeSize(old, fresh, oldDate, date) {
  if (fresh === undefined) return old;
  const dates = { ...old?.dates };
  for (const key of [...Object.keys(old?.peaks ?? {}), ...Object.keys(old?.baselines ?? {})])
    dates[key] ??= oldDate;
  for (const key of [...Object.keys(fresh.peaks), ...Object.keys(fresh.baselines)])
    dates[key] = date;
  return {
    files: fresh.files,
    bytes: fresh.bytes,
    peaks: { ...old?.peaks, ...fresh.peaks },
    times: { ...old?.times, ...fresh.times },
    baselines: { ...old?.baselines, ...fresh.baselines },
    dates,
  };
}

/**
 * results.json's manyFiles after a run that measured `measured` (sizes holding some verbs and
 * baselines): the figures this run did not measure are the previous run's, kept only for the
 * same file counts; each figure's date says which run made it. Growth and ratios are computed
 * again from what is then there.
 */
export function mergeManyFiles(previous, measured, files, date, hashBaseline) {
  const counts = [files, files * 4];
  const sizes = counts
    .map((count) =>
      mergeSize(
        previous?.sizes?.find((size) => size.files === count),
        measured.find((size) => size.files === count),
        previous?.date,
        date,
      ),
    )
    .filter((size) => size !== undefined);
  const [one, four] = counts.map((count) => sizes.find((size) => size.files === count));
  const growth = {};
  for (const verb of MANY_FILES_VERBS)
    if (one?.peaks[verb] && four?.peaks[verb])
      growth[verb] = round(four.peaks[verb] / one.peaks[verb], 2);
  const ratios = {};
  const ratio = (name, verb) => {
    const baseline = one?.baselines[BASELINE_OF[verb]];
    if (one?.times[verb] !== undefined && baseline)
      ratios[name] = round(one.times[verb] / baseline, 2);
  };
  ratio("verify / parallel openssl", "verify");
  ratio("restore dir: / cp -a", "restore dir:");
  ratio("snapshot / tar -cf", "snapshot");
  return { date, sizes, growth, ratios, hashBaseline };
}
