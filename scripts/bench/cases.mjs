// The operations of issue 7, each of ours beside the tool a user would otherwise run on the
// same bytes. Every ratio is recoverable / baseline.
import { rmSync } from "node:fs";
import {
  ours,
  parallelHash,
  PARALLEL_HASH_LABEL,
  proven,
  quote,
  round,
  singleHash,
} from "./runner.mjs";

// Issue 7, "Targets": the highest ratio each case may have, on this 2-core machine.
export const TARGETS = {
  verify: 1.1,
  // Issue 21: verify does both of the tools' work (the bytes and the integrity check).
  "verify vs openssl + sqlite3": 0.8,
  "restore dir:": 0.9,
  "restore tar: (gzip)": 1.0,
  "sqlite integrity": 1.05,
};

/** Two baselines run one after the other: their times added, their CPU weighted by time. */
function sumOf(label, first, second) {
  const seconds = first.seconds + second.seconds;
  const cpuPercent = Math.round(
    (first.cpuPercent * first.seconds + second.cpuPercent * second.seconds) / seconds,
  );
  return { baseline: label, seconds, cpuPercent };
}

function caseOf(name, ourTiming, baselineTiming) {
  return {
    name,
    recoverable_s: round(ourTiming.seconds, 3),
    baseline: baselineTiming.baseline,
    baseline_s: round(baselineTiming.seconds, 3),
    ratio: round(ourTiming.seconds / baselineTiming.seconds, 2),
  };
}

const SQLITE3_LABEL = "sqlite3 <db> 'PRAGMA integrity_check'";

function sqlite3Baseline(database) {
  return {
    label: "sqlite3",
    baseline: SQLITE3_LABEL,
    argv: ["sqlite3", database, "PRAGMA integrity_check"],
    check: (r) => (r.stdout.trim() === "ok" ? null : `printed ${r.stdout.trim()}`),
  };
}

/**
 * `paths`: work (cwd, holding ops/ and sqlite-ops/), store, archive, sqliteStore, database and
 * target (a restore target that is emptied around every run). Returns the cases as
 * results.json holds them, the CPU each side used (median %, 100 = one core), and the raw
 * timings, for the parts that explain them.
 */
export async function runCases({ compare }, paths, runs) {
  const { store, archive, sqliteStore, database, target } = paths;
  const emptyTarget = () => rmSync(target, { recursive: true, force: true });

  const verify = await compare({
    title: "verify",
    runs,
    ours: { argv: ours("verify", "--root", store, "--ops", "ops"), check: proven },
    baselines: [
      {
        label: "openssl -P",
        baseline: PARALLEL_HASH_LABEL,
        argv: ["sh", "-c", parallelHash(store)],
      },
      {
        label: "openssl x1",
        baseline: "openssl dgst -sha256, 1 process",
        argv: ["sh", "-c", singleHash(store)],
      },
      // The same database's integrity check, in the same rounds: verify's whole work is the
      // bytes plus this, so issue 21 compares it with the sum of the two tools.
      sqlite3Baseline(database),
    ],
  });

  const restoreDir = await compare({
    title: "restore dir:",
    runs,
    prepare: emptyTarget,
    ours: {
      argv: ours("restore", "--source", `dir:${store}`, "--target", target, "--ops", "ops"),
      check: proven,
    },
    baselines: [
      {
        label: "cp -a + openssl -P",
        baseline: `cp -a, then ${PARALLEL_HASH_LABEL}`,
        argv: ["sh", "-c", `cp -a ${quote(store)} ${quote(target)} && ${parallelHash(target)}`],
      },
    ],
  });

  const untar = `mkdir ${quote(target)} && tar -xzf ${quote(archive)} -C ${quote(target)}`;
  const restoreTar = await compare({
    title: "restore tar: (gzip)",
    runs,
    prepare: emptyTarget,
    ours: {
      argv: ours("restore", "--source", `tar:${archive}`, "--target", target, "--ops", "ops"),
      check: proven,
    },
    baselines: [
      {
        label: "tar -xzf + openssl -P",
        baseline: `tar -xzf, then ${PARALLEL_HASH_LABEL}`,
        argv: ["sh", "-c", `${untar} && ${parallelHash(target)}`],
      },
    ],
  });

  // Ours is `verify` of a store holding only the database: what a user runs, and it includes
  // everything recoverable does for a SQLite artifact whose bytes are the release's (sha256 and
  // integrity_check; the content digest is then implied by the bytes, see docs/decisions.md).
  const sqlite = await compare({
    title: "sqlite integrity",
    runs,
    ours: { argv: ours("verify", "--root", sqliteStore, "--ops", "sqlite-ops"), check: proven },
    baselines: [sqlite3Baseline(database)],
  });

  const bothTools = sumOf(`${PARALLEL_HASH_LABEL}, plus ${SQLITE3_LABEL}`, verify[1], verify[3]);
  const pairs = [
    ["verify", verify[0], verify[1]],
    ["verify vs one openssl", verify[0], verify[2]],
    ["verify vs openssl + sqlite3", verify[0], bothTools],
    ["restore dir:", restoreDir[0], restoreDir[1]],
    ["restore tar: (gzip)", restoreTar[0], restoreTar[1]],
    ["sqlite integrity", sqlite[0], sqlite[1]],
  ];
  return {
    cases: pairs.map(([name, mine, theirs]) => caseOf(name, mine, theirs)),
    cpuByCase: Object.fromEntries(
      pairs.map(([name, mine, theirs]) => [name, `${mine.cpuPercent}% / ${theirs.cpuPercent}%`]),
    ),
    timings: { verify, restoreDir, restoreTar, sqlite },
  };
}
