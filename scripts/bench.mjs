// npm run bench [-- --size 2GiB] [--runs 3] [--dir <tmp parent>] (the rest: bench/args.mjs)
//
// Issue 7, part 2: builds a synthetic store in a temporary folder, seals it with the built CLI,
// and times each operation of recoverable beside the tool a user would otherwise run on the
// same bytes: warm cache (one untimed warm-up), median of --runs runs, every run printed. Then
// it times the parts of our operations (what bounds each one), measures the peak memory of
// verify at 1x and 4x the size, prints a table and writes bench/results.json. The temporary
// folder is removed at the end, on failure and on Ctrl-C. See docs/performance.md.
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir, totalmem, type as osType } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { formatSize, parseArgs, USAGE } from "./bench/args.mjs";
import { runCases, TARGETS } from "./bench/cases.mjs";
import { explainMemory, explainParts } from "./bench/explain.mjs";
import { HAS_GNU_TIME, killRunning } from "./bench/measure.mjs";
import { CORES, createRunner, cpu, loadAverage, log, ours, proven } from "./bench/runner.mjs";
import { REPO, round, seconds, waitForCLI } from "./bench/runner.mjs";
import { runManyFiles } from "./bench/many-files.mjs";
import { buildAndSeal, seal } from "./bench/stores.mjs";

const RESULTS = join(REPO, "bench", "results.json");

let work = null;
let stopping = false;

function removeWork() {
  if (work !== null) rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  work = null;
}

async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.error(`\n${signal}: stopping the running command and removing ${work ?? "nothing"}`);
  killRunning("SIGTERM");
  await sleep(1500); // a restore removes its scratch tree on SIGTERM; let it
  killRunning("SIGKILL");
  removeWork();
  process.exit(signal === "SIGINT" ? 130 : 143);
}

function machine(sizeBytes) {
  let os = `${osType()} ${release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"));
    if (pretty) os = `${pretty[1]}, ${os}`;
  } catch {
    // not Linux, or no os-release
  }
  return {
    cpus: CORES,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memGiB: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    os,
    date: new Date().toISOString(),
    sizeBytes,
  };
}

function printTable(cases, cpuByCase) {
  const rows = [
    ["case", "recoverable s", "baseline", "baseline s", "ratio", "target", "cpu ours / baseline"],
    ...cases.map((c) => [
      c.name,
      c.recoverable_s.toFixed(3),
      c.baseline,
      c.baseline_s.toFixed(3),
      c.ratio.toFixed(2),
      c.name in TARGETS ? `<= ${TARGETS[c.name]}` : "-",
      cpuByCase[c.name] ?? "",
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const [index, row] of rows.entries()) {
    log(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    );
    if (index === 0) log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

/** Peak RSS of one verify of a store 4 times as large (the 1x store is removed first). */
async function peakAt4x(runner, sizeBytes) {
  const size = formatSize(sizeBytes * 4);
  log(`\npeak memory of verify at 4x (${size})`);
  const store = join(work, "store-4x");
  await buildAndSeal(runner, store, join(work, "ops-4x"), sizeBytes * 4);
  const argv = ours("verify", "--root", store, "--ops", "ops-4x");
  const verify = await runner.run("verify at 4x", argv, { check: proven });
  const peak = verify.peakRssMiB?.toFixed(1) ?? "?";
  log(`  verify ${seconds(verify.seconds)}${cpu(verify)}, peak RSS ${peak} MiB`);
  log("  where it goes, at 4x:");
  await explainMemory(runner, store, "ops-4x");
  return { size, peakRssMiB: verify.peakRssMiB ?? 0 };
}

/** The default store's cases: each operation beside its baseline, the parts, verify's memory. */
async function runDefaultCases(runner, options) {
  const size = formatSize(options.sizeBytes);
  // 1. The store, sealed; a store holding only its database; a gzip tar of the store.
  const paths = { work, store: join(work, "store"), archive: join(work, "store.tar.gz") };
  const stats = await buildAndSeal(runner, paths.store, join(work, "ops"), options.sizeBytes);
  paths.database = stats.sqlite.path;
  paths.sqliteStore = join(work, "sqlite-store");
  mkdirSync(join(paths.sqliteStore, "datasets"), { recursive: true });
  linkSync(paths.database, join(paths.sqliteStore, "datasets", "bench.sqlite")); // no copy
  await seal(runner, paths.sqliteStore, join(work, "sqlite-ops"), "seal the SQLite store");
  // gzip -1: a third of the time of -6 on these bytes (mostly random, which no level shrinks);
  // inflating, which is what is measured, costs the same whatever the level.
  const tar = await runner.run("tar -czf", [
    "tar",
    "-I",
    "gzip -1",
    "-cf",
    paths.archive,
    "-C",
    paths.store,
    ".",
  ]);
  log(`  archived with GNU tar -I 'gzip -1' -cf in ${seconds(tar.seconds)}${cpu(tar)}`);
  mkdirSync(join(work, "targets"));
  paths.target = join(work, "targets", "store");

  // 2. Each operation beside its baseline; 3. what bounds each.
  const { cases, cpuByCase, timings } = await runCases(runner, paths, options.runs);
  await explainParts(runner, paths, stats, timings);

  // 4. Peak memory of verify: the highest of the timed runs at 1x, one run at 4x.
  for (const path of [paths.store, paths.sqliteStore, paths.archive, join(work, "targets")])
    rmSync(path, { recursive: true, force: true });
  const big = await peakAt4x(runner, options.sizeBytes);
  const peakRssMiB = {
    [size]: round(timings.verify[0].peakRssMiB, 1),
    [big.size]: round(big.peakRssMiB, 1),
  };
  log(
    `\nmedians of ${options.runs} run(s), warm cache, ${CORES} cores; ratio = recoverable / baseline`,
  );
  printTable(cases, cpuByCase);
  log(
    `peak RSS of verify: ${Object.entries(peakRssMiB)
      .map(([k, v]) => `${k} ${v} MiB`)
      .join(", ")}`,
  );
  return { machine: machine(stats.bytes), cases, peakRssMiB };
}

/** results.json as it was, so a run of one part keeps the other part's last figures. */
function previousResults() {
  try {
    return JSON.parse(readFileSync(RESULTS, "utf8"));
  } catch {
    return {};
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) return log(USAGE);
  await waitForCLI();
  const parent = resolve(options.dir ?? tmpdir());
  mkdirSync(parent, { recursive: true });
  work = mkdtempSync(join(parent, "recoverable-bench-"));
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  const runner = createRunner(work);
  const parts = options.only === null ? "every case" : `only the ${options.only} cases`;
  log(
    `recoverable bench: ${parts}; ${formatSize(options.sizeBytes)} store, ${options.files} ` +
      `files (and 4x), ${options.runs} run(s) after a warm-up, ${CORES} cores`,
  );
  log(`temporary folder ${work}; load average ${loadAverage()}`);
  if (Number(loadAverage().split(" ")[0]) > 0.5)
    log("the machine is busy: the timings will include other work (see the load averages)");
  if (!HAS_GNU_TIME) log("no /usr/bin/time: peak memory is sampled from /proc, and no CPU %");

  const results = previousResults();
  if (options.only !== "many-files") Object.assign(results, await runDefaultCases(runner, options));
  if (options.only !== "default") {
    const cache = resolve(options.cache ?? join(REPO, "bench", "out", "cache"));
    results.manyFiles = await runManyFiles(
      runner,
      work,
      { ...options, cache, verbs: options.verbs ?? undefined, sizes: options.sizes ?? undefined },
      results.manyFiles,
    );
  }
  log(`load average at the end ${loadAverage()}`);
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${RESULTS}`);
}

try {
  await main();
} catch (error) {
  if (!stopping) {
    console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && /^--|^unknown argument/.test(error.message)) console.error(USAGE);
    process.exitCode = 1;
  }
} finally {
  if (!stopping) {
    killRunning("SIGKILL");
    removeWork();
  }
}
