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

async function measureVerbs(runner, work, name, store) {
  const { run } = runner;
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
  note("verify", await run("verify", ours("verify", ...C), { check: proven }));

  const shards = join(work, `shards-${name}`);
  let shardPeak = null;
  for (let i = 1; i <= 4; i++) {
    const argv = ours("verify", ...C, "--shard", `${i}/4`, "--out", shards);
    const result = await run(`verify --shard ${i}/4`, argv, { check: proven });
    if (i === 1) shardPeak = result;
  }
  note("verify --shard 1/4", shardPeak);
  const envelopes = [1, 2, 3, 4].map((i) => join(shards, `shard-${i}-of-4.dsse.json`));
  const mergeArgv = ours("report", "merge", ...envelopes, "--key", "keys/drill.pub", ...C);
  note("report merge", await run("report merge", [...mergeArgv, "--out", `merged-${name}`]));
  rmSync(shards, { recursive: true, force: true });

  const target = join(work, `target-${name}`);
  const restore = ours("restore", ...C, "--source", `dir:${store}`, "--target", target);
  note("restore dir:", await run("restore dir:", restore, { check: proven }));
  rmSync(target, { recursive: true, force: true });

  const drill = ours("drill", ...C, "--source", `dir:${store}`);
  note("drill (with a service)", await run("drill", drill, { check: proven }));

  const repo = join(work, `repo-${name}`);
  note("snapshot", await run("snapshot", ours("snapshot", ...C, "--repo", repo, "--ops", ops)));
  const validate = ours("snapshots", "validate", "latest", "--repo", repo, ...C);
  note("snapshots validate", await run("snapshots validate", validate, { check: proven }));
  rmSync(repo, { recursive: true, force: true });
  return { peaks, times };
}

async function baselines({ run }, work, store) {
  const copy = join(work, "baseline-copy");
  const hash = await run("parallel openssl", ["sh", "-c", parallelHash(store)]);
  const cp = await run("cp -a", ["cp", "-a", store, copy]);
  rmSync(copy, { recursive: true, force: true });
  const tarFile = join(work, "baseline.tar");
  const tar = await run("tar -cf", ["tar", "-cf", tarFile, "-C", store, "."]);
  rmSync(tarFile, { force: true });
  log(
    `  baselines: ${PARALLEL_HASH_LABEL} ${seconds(hash.seconds)}; cp -a ${seconds(cp.seconds)}; ` +
      `tar -cf ${seconds(tar.seconds)}`,
  );
  return { hash: hash.seconds, cp: cp.seconds, tar: tar.seconds };
}

async function oneSize(runner, work, cache, files, databaseBytes) {
  const name = `${files}`;
  log(`\nmany files: ${files} files of 100 B-4 KiB and a ${formatSize(databaseBytes)} database`);
  const built = await manyFilesStore(join(cache, `many-${name}`), files, databaseBytes, log);
  if (built.built) log(`  built ${formatSize(built.bytes)} in ${seconds(built.buildSeconds)}`);
  const base = await baselines(runner, work, built.store);
  const { peaks, times } = await measureVerbs(runner, work, name, built.store);
  return { files, bytes: built.bytes, peaks, times, baselines: base };
}

/**
 * Measures the many-files case at `files` and 4 x `files`; returns what results.json holds:
 * the peaks per verb at each size, their growth (4x peak / 1x peak), and verify and restore
 * beside their baselines as ratios.
 */
export async function runManyFiles(runner, work, { cache, files, databaseBytes }) {
  mkdirSync(cache, { recursive: true });
  await runner.run("keygen", ours("keygen", "--out", join(work, "keys")));
  const one = await oneSize(runner, work, cache, files, databaseBytes);
  const four = await oneSize(runner, work, cache, files * 4, databaseBytes);
  const growth = Object.fromEntries(
    MANY_FILES_VERBS.map((verb) => [verb, round(four.peaks[verb] / one.peaks[verb], 2)]),
  );
  const ratios = {
    "verify / parallel openssl": round(one.times.verify / one.baselines.hash, 2),
    "restore dir: / cp -a": round(one.times["restore dir:"] / one.baselines.cp, 2),
    "snapshot / tar -cf": round(one.times.snapshot / one.baselines.tar, 2),
  };
  log(`\nmany files: peak RSS (MiB) at ${files} and ${files * 4} files, ${CORES} cores`);
  for (const verb of MANY_FILES_VERBS)
    log(`  ${verb.padEnd(24)} ${one.peaks[verb]}  ${four.peaks[verb]}  x${growth[verb]}`);
  for (const [name, ratio] of Object.entries(ratios)) log(`  ${name}: ${ratio}`);
  return { sizes: [one, four], growth, ratios, hashBaseline: PARALLEL_HASH_LABEL };
}
