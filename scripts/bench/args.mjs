// The flags of `npm run bench` and the sizes they take ("2GiB", "200MiB", "1.5G", "500MB").
import { parseVerbs } from "./many-files-results.mjs";

const UNITS = {
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1000 ** 4,
};

export const USAGE = `usage: npm run bench [-- --size 2GiB] [--runs 3] [--dir <tmp parent>]
                       [--only default|many-files] [--files 1000000] [--database-size 1GiB]
                       [--cache <dir>] [--verbs <list>] [--sizes 1x|4x|both]

  --size <n>           bytes of the synthetic store (KiB, MiB, GiB, KB, MB, GB; default 2GiB)
  --runs <n>           timed runs per operation, after one untimed warm-up (default 3)
  --dir <dir>          where the temporary folders go (default: the OS temp dir)
  --only <case>        run only the default store's cases or only the many-files case
  --files <n>          small files of the many-files store; it is also measured at 4x
                       (default 1000000)
  --database-size <n>  the many-files store's SQLite database (default 1GiB)
  --cache <dir>        where the many-files stores are built once and kept for later runs
                       (default bench/out/cache)
  --verbs <list>       only these verbs of the many-files case, by name, separated by commas
                       (implies --only many-files; seal, and what a verb needs, run too):
                       seal, verify, "verify --shard 1/4", "report merge", "restore dir:",
                       "drill (with a service)", snapshot, "snapshots validate";
                       e.g. --verbs "verify,restore dir:"; the other verbs keep their last
                       figures in bench/results.json, each with the date of its run
  --sizes <which>      the many-files case at 1x --files, at 4x, or both (default both;
                       implies --only many-files)`;

/** "2GiB" -> 2147483648; null when the text is not a size. */
export function parseSize(text) {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(String(text).trim());
  if (!match) return null;
  const unit = match[2].toLowerCase() || "b";
  if (!(unit in UNITS)) return null;
  const bytes = Math.round(Number(match[1]) * UNITS[unit]);
  return bytes > 0 ? bytes : null;
}

/** 2147483648 -> "2GiB", 209715200 -> "200MiB", 1610612736 -> "1.5GiB". */
export function formatSize(bytes) {
  for (const [unit, scale] of [
    ["TiB", 1024 ** 4],
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ]) {
    if (bytes >= scale) return `${Number((bytes / scale).toFixed(2))}${unit}`;
  }
  return `${bytes}B`;
}

/** The options, or throws an Error whose message is meant for the user. */
export function parseArgs(argv) {
  const options = {
    sizeBytes: 2 * 1024 ** 3,
    runs: 3,
    dir: null,
    help: false,
    only: null,
    files: 1_000_000,
    databaseBytes: 1024 ** 3,
    cache: null,
    verbs: null,
    sizes: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--size": {
        const text = value();
        const bytes = parseSize(text);
        if (bytes === null || bytes < 1024 ** 2)
          throw new Error(`--size ${text}: expected a size of at least 1MiB, like 2GiB or 200MiB`);
        options.sizeBytes = bytes;
        break;
      }
      case "--runs": {
        const text = value();
        const runs = Number(text);
        if (!Number.isInteger(runs) || runs < 1 || runs > 100)
          throw new Error(`--runs ${text}: expected a whole number from 1 to 100`);
        options.runs = runs;
        break;
      }
      case "--dir":
        options.dir = value();
        break;
      case "--only": {
        const text = value();
        if (text !== "default" && text !== "many-files")
          throw new Error(`--only ${text}: expected default or many-files`);
        options.only = text;
        break;
      }
      case "--files": {
        const text = value();
        const files = Number(text.replaceAll("_", ""));
        if (!Number.isInteger(files) || files < 100)
          throw new Error(`--files ${text}: expected a whole number of at least 100`);
        options.files = files;
        break;
      }
      case "--database-size": {
        const text = value();
        const bytes = parseSize(text);
        if (bytes === null || bytes < 64 * 1024)
          throw new Error(`--database-size ${text}: expected a size of at least 64KiB, like 1GiB`);
        options.databaseBytes = bytes;
        break;
      }
      case "--cache":
        options.cache = value();
        break;
      case "--verbs":
        options.verbs = parseVerbs(value());
        break;
      case "--sizes": {
        const text = value();
        if (!["1x", "4x", "both"].includes(text))
          throw new Error(`--sizes ${text}: expected 1x, 4x or both`);
        options.sizes = text;
        break;
      }
      case "-h":
      case "--help":
        options.help = true;
        break;
      default:
        throw new Error(`unknown argument ${arg}`);
    }
  }
  return manyFilesOnly(options);
}

/** --verbs and --sizes are the many-files case's: they imply it, and contradict --only default. */
function manyFilesOnly(options) {
  const flag = options.verbs !== null ? "--verbs" : options.sizes !== null ? "--sizes" : null;
  if (flag === null) return options;
  if (options.only === "default")
    throw new Error(`${flag} is for the many-files case: it cannot go with --only default`);
  return { ...options, only: "many-files" };
}
