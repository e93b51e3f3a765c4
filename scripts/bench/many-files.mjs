// Issue 21's many-files case: a store of `files` small files plus one SQLite database, and the
// peak memory of every verb on it at 1x and 4x the file count, beside the time of the tools a
// user would otherwise run (parallel openssl, cp -a, tar). One run of each command: at this
// size a run takes minutes, and what is measured is mostly memory, which does not vary.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatSize } from "./args.mjs";
import { manyFilesStore } from "./many-files-store.mjs";
import { CORES, cpu, log, ours, parallelHash, PARALLEL_HASH_LABEL, proven } from "./runner.mjs";
import { round, seconds } from "./runner.mjs";
import { seal } from "./stores.mjs";
import { MANY_FILES_VERBS, mergeManyFiles, verbsToRun } from "./many-files-results.mjs";

export { MANY_FILES_VERBS } from "./many-files-results.mjs";

// A service as small as a service gets: it answers /readyz, so the drill's time and memory
// are the store's, not the service's.
const SERVICE = `require("node:http").createServer((q, s) => { s.setHeader("content-type",
  "application/json"); s.end(JSON.stringify({ status: "ready" })); })
  .listen(Number(process.env.PORT), "127.0.0.1");`;

function writeDrillConfig(work, name, store, ops) {
  const config = {
    schemaVersion: 1,
    store: { root: store },
    evidence: {
      manifest: `${ops}/release/evidence/manifest.json`,
      packet: `${ops}/release/packet/packet.json`,
      provenance: `${ops}/release/provenance.json`,
      rollbackPolicy: `${ops}/datasets/rollback-policy.json`,
    },
    probes: [
      {
        name: "ready",
        type: "http",
        path: "/readyz",
        expect: { status: 200, json: [{ pointer: "/status", equals: "ready" }] },
      },
    ],
    service: { command: ["node", "-e", SERVICE], readiness: { path: "/readyz", timeout: "60s" } },
    signing: { key: "keys/drill.key" },
    reports: { dir: `reports-${name}` },
    // One high-water mark per size: the two stores are two releases under one version.
    state: { dir: `state-${name}` },
  };
  const path = join(work, `drill-${name}.json`);
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

/** Runs the verbs of `verbs` (verbsToRun's list: each with what it needs) in their order. */
async function measureVerbs(runner, work, name, store, verbs) {
  const { run } = runner;
  const wanted = (verb) => verbs.includes(verb);
  const ops = `ops-${name}`;
  const peaks = {};
  const times = {};
  const note = (verb, result) => {
    peaks[verb] = round(result.peakRssMiB ?? 0, 1);
    times[verb] = round(result.seconds, 3);
    log(`  ${verb}: ${seconds(result.seconds)}${cpu(result)}, peak RSS ${peaks[verb]} MiB`);
  };
  note("seal", await seal(runner, store, join(work, ops), `seal (${name})`));
  const config = writeDrillConfig(work, name, store, ops);
  const C = ["-C", config];
  if (wanted("verify"))
    note("verify", await run("verify", ours("verify", ...C), { check: proven }));
  if (wanted("verify --shard 1/4")) await shardsAndMerge(runner, work, name, C, note, wanted);
  if (wanted("restore dir:")) {
    const target = join(work, `target-${name}`);
    const restore = ours("restore", ...C, "--source", `dir:${store}`, "--target", target);
    note("restore dir:", await run("restore dir:", restore, { check: proven }));
    rmSync(target, { recursive: true, force: true });
  }
  if (wanted("drill (with a service)")) {
    const drill = ours("drill", ...C, "--source", `dir:${store}`);
    note("drill (with a service)", await run("drill", drill, { check: proven }));
  }
  if (wanted("snapshot")) {
    const repo = join(work, `repo-${name}`);
    note("snapshot", await run("snapshot", ours("snapshot", ...C, "--repo", repo, "--ops", ops)));
    if (wanted("snapshots validate")) {
      const validate = ours("snapshots", "validate", "latest", "--repo", repo, ...C);
      note("snapshots validate", await run("snapshots validate", validate, { check: proven }));
    }
    rmSync(repo, { recursive: true, force: true });
  }
  return { peaks, times };
}

/** The four shards of verify (the first one's figures noted), then their merge if wanted. */
async function shardsAndMerge({ run }, work, name, C, note, wanted) {
  const shards = join(work, `shards-${name}`);
  let shardPeak = null;
  for (let i = 1; i <= 4; i++) {
    const argv = ours("verify", ...C, "--shard", `${i}/4`, "--out", shards);
    const result = await run(`verify --shard ${i}/4`, argv, { check: proven });
    if (i === 1) shardPeak = result;
  }
  note("verify --shard 1/4", shardPeak);
  if (wanted("report merge")) {
    const envelopes = [1, 2, 3, 4].map((i) => join(shards, `shard-${i}-of-4.dsse.json`));
    const mergeArgv = ours("report", "merge", ...envelopes, "--key", "keys/drill.pub", ...C);
    note("report merge", await run("report merge", [...mergeArgv, "--out", `merged-${name}`]));
  }
  rmSync(shards, { recursive: true, force: true });
}

/** The tools a user would run instead, only those the verbs in `verbs` are compared with. */
async function baselines({ run }, work, store, verbs) {
  const base = {};
  const shown = [];
  const wanted = (verb) => verbs.includes(verb);
  if (wanted("verify")) {
    base.hash = (await run("parallel openssl", ["sh", "-c", parallelHash(store)])).seconds;
    shown.push(`${PARALLEL_HASH_LABEL} ${seconds(base.hash)}`);
  }
  if (wanted("restore dir:")) {
    const copy = join(work, "baseline-copy");
    base.cp = (await run("cp -a", ["cp", "-a", store, copy])).seconds;
    rmSync(copy, { recursive: true, force: true });
    shown.push(`cp -a ${seconds(base.cp)}`);
  }
  if (wanted("snapshot")) {
    const tarFile = join(work, "baseline.tar");
    base.tar = (await run("tar -cf", ["tar", "-cf", tarFile, "-C", store, "."])).seconds;
    rmSync(tarFile, { force: true });
    shown.push(`tar -cf ${seconds(base.tar)}`);
  }
  if (shown.length > 0) log(`  baselines: ${shown.join("; ")}`);
  return base;
}

async function oneSize(runner, work, { cache, databaseBytes }, files, verbs) {
  const name = `${files}`;
  log(`\nmany files: ${files} files of 100 B-4 KiB and a ${formatSize(databaseBytes)} database`);
  const built = await manyFilesStore(join(cache, `many-${name}`), files, databaseBytes, log);
  if (built.built) log(`  built ${formatSize(built.bytes)} in ${seconds(built.buildSeconds)}`);
  const base = await baselines(runner, work, built.store, verbs);
  const { peaks, times } = await measureVerbs(runner, work, name, built.store, verbs);
  return { files, bytes: built.bytes, peaks, times, baselines: base };
}

/** The file counts `--sizes` asks for: `files`, 4 x `files`, or both. */
function countsOf(files, sizes) {
  if (sizes === "1x") return [files];
  if (sizes === "4x") return [files * 4];
  return [files, files * 4];
}

/**
 * Measures the many-files case at `files` and 4 x `files` (or one of them, `sizes`), the verbs
 * in `verbs` (default all) and what they need; returns what results.json holds (`previous`:
 * its last manyFiles, whose other figures are kept): the peaks per verb at each size, their
 * growth (4x peak / 1x peak), and verify, restore and snapshot beside their baselines as ratios.
 */
export async function runManyFiles(runner, work, options, previous) {
  const { cache, files, verbs = MANY_FILES_VERBS, sizes = "both" } = options;
  mkdirSync(cache, { recursive: true });
  await runner.run("keygen", ours("keygen", "--out", join(work, "keys")));
  const toRun = verbsToRun(verbs);
  if (toRun.length > verbs.length)
    log(`verbs: ${toRun.join(", ")} (asked for ${verbs.join(", ")}; the rest is what it needs)`);
  const measured = [];
  for (const count of countsOf(files, sizes))
    measured.push(await oneSize(runner, work, options, count, toRun));
  const date = new Date().toISOString();
  const merged = mergeManyFiles(previous, measured, files, date, PARALLEL_HASH_LABEL);
  printManyFiles(merged, files, date);
  return merged;
}

function printManyFiles({ sizes, growth, ratios }, files, date) {
  const [one, four] = [files, files * 4].map((count) => sizes.find((s) => s.files === count));
  const figure = (size, verb) => {
    if (size?.peaks[verb] === undefined) return "-";
    const earlier = size.dates?.[verb] !== date ? " (earlier run)" : "";
    return `${size.peaks[verb]}${earlier}`;
  };
  log(`\nmany files: peak RSS (MiB) at ${files} and ${files * 4} files, ${CORES} cores`);
  for (const verb of MANY_FILES_VERBS)
    log(
      `  ${verb.padEnd(24)} ${figure(one, verb)}  ${figure(four, verb)}  x${growth[verb] ?? "-"}`,
    );
  for (const [name, ratio] of Object.entries(ratios)) log(`  ${name}: ${ratio}`);
}
