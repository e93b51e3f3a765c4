// What bounds each operation: its parts, timed once each on the warm store with the project's
// own code (scripts/bench/parts.mjs) or the system tools, beside the CPU they used (100% is one
// core). A part that fails is reported and skipped: the cases are measured already.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatSize } from "./args.mjs";
import { measure } from "./measure.mjs";
import { cpu, log, ours, proven, quote, REPO, seconds, singleHash } from "./runner.mjs";
import { seal } from "./stores.mjs";

const PARTS = join(REPO, "scripts", "bench", "parts.mjs");
const LABEL_WIDTH = 62;

const rss = (result) =>
  result.peakRssMiB === null ? "" : `, peak RSS ${result.peakRssMiB.toFixed(1)} MiB`;

/** part() times a command; ourPart() a mode of parts.mjs, returning its JSON plus the usage. */
function createParts(runner) {
  const part = async (label, argv, { check, showRss = false } = {}) => {
    try {
      const result = await runner.run(label, argv, check ? { check } : {});
      const memory = showRss ? rss(result) : "";
      log(`  ${label.padEnd(LABEL_WIDTH)} ${seconds(result.seconds)}${cpu(result)}${memory}`);
      return result;
    } catch (error) {
      log(`  ${label.padEnd(LABEL_WIDTH)} failed: ${String(error.message).split("\n")[0]}`);
      return null;
    }
  };
  const ourPart = async (label, ...args) => {
    const result = await part(label, ["node", PARTS, ...args], { showRss: true });
    if (result === null) return null;
    return { ...JSON.parse(result.stdout), wall: result.seconds, peakRssMiB: result.peakRssMiB };
  };
  return { part, ourPart };
}

/** Where verify's memory goes: the evidence documents, the store checks, the hashing alone. */
export async function explainMemory(runner, store, ops) {
  const { ourPart } = createParts(runner);
  const evidence = await ourPart("load the evidence, check the chain", "evidence", ops);
  if (evidence)
    log(`    manifest ${formatSize(evidence.manifestBytes)}, ${evidence.artifacts} artifacts`);
  await ourPart("verifyStore alone (the store checks of verify)", "store", store, ops);
  await ourPart("verify's hashing alone (worker pool, one thread per core)", "hash", store);
}

export async function explainParts(runner, paths, stats, timings) {
  const { work, store, archive, database, target } = paths;
  const emptyTarget = () => rmSync(target, { recursive: true, force: true });
  const { part, ourPart } = createParts(runner);
  const mbps = (bytes, s) => `${Math.round(bytes / s / 1e6)} MB/s`;
  log("\nparts (one run each, warm cache; inside node = without node's start)");

  // verify = start-up + evidence + the store checks (hashing, SQLite, a few lstat per file).
  const tiny = join(work, "tiny-store");
  mkdirSync(tiny);
  writeFileSync(join(tiny, "one.txt"), "one small file\n");
  await seal(runner, tiny, join(work, "tiny-ops"), "seal the one-file store");
  const fixed = await part(
    "verify of a one-file store (start-up, fixed cost)",
    ours("verify", "--root", tiny, "--ops", "tiny-ops"),
    { check: proven, showRss: true },
  );
  const evidence = await ourPart("load the evidence, check the chain", "evidence", "ops");
  if (evidence)
    log(
      `    ${seconds(evidence.seconds)} inside node, manifest ${formatSize(evidence.manifestBytes)},` +
        ` ${evidence.artifacts} artifacts`,
    );
  const checks = await ourPart(
    "verifyStore alone (the store checks of verify)",
    "store",
    store,
    "ops",
  );
  if (checks) log(`    ${seconds(checks.seconds)} inside node`);
  const hashing = await ourPart(
    "verify's hashing alone (worker pool, one thread per core)",
    "hash",
    store,
  );
  if (hashing)
    log(
      `    ${seconds(hashing.seconds)} inside node for ${formatSize(hashing.bytes)} in ` +
        `${hashing.files} files: ${mbps(hashing.bytes, hashing.seconds)}`,
    );
  const small = join(store, "files");
  const nodeSmall = await ourPart("node:crypto SHA-256 of the small files only", "hash", small);
  const sslSmall = await part("openssl SHA-256 of the small files only, 1 process", [
    "sh",
    "-c",
    singleHash(small),
  ]);
  if (nodeSmall && sslSmall)
    log(
      `    ${nodeSmall.files} files: ${Math.round((nodeSmall.seconds / nodeSmall.files) * 1e6)} µs ` +
        `a file in node (${mbps(nodeSmall.bytes, nodeSmall.seconds)}), ` +
        `${Math.round((sslSmall.seconds / nodeSmall.files) * 1e6)} µs in openssl ` +
        `(${mbps(nodeSmall.bytes, sslSmall.seconds)})`,
    );
  const large = join(store, "large");
  const nodeLarge = await ourPart(
    "node:crypto SHA-256 of the large files only (worker pool)",
    "hash",
    large,
  );
  const sslLarge = await part("openssl SHA-256 of the large files only, 1 process", [
    "sh",
    "-c",
    singleHash(large),
  ]);
  if (nodeLarge && sslLarge)
    log(
      `    worker pool: ${mbps(stats.large.bytes, nodeLarge.seconds)} in node:crypto, ` +
        `${mbps(stats.large.bytes, sslLarge.seconds)} in openssl (its start included)`,
    );
  const hashers = await ourPart("SHA-256 of 256 MiB in memory, one thread", "hashers", "256");
  if (hashers)
    log(
      `    node:crypto ${mbps(hashers.bytes, hashers.nodeS)}` +
        (hashers.nobleS === null
          ? " (@noble/hashes not installed)"
          : `, @noble/hashes ${mbps(hashers.bytes, hashers.nobleS)}: node:crypto is kept`),
    );
  const sqlite = await ourPart(
    "SQLite checks of the database (better-sqlite3)",
    "sqlite",
    database,
  );
  if (sqlite)
    log(
      `    sha256 of the file ${seconds(sqlite.fileDigestS)}, PRAGMA integrity_check ` +
        `${seconds(sqlite.integrityS)} (CPU ${seconds(sqlite.integrityCpuS)}; through a memory ` +
        `map, which verify does not use as the map stays resident: ` +
        `${seconds(sqlite.integrityMappedS)}, CPU ${seconds(sqlite.integrityMappedCpuS)}), ` +
        `content digest of ${sqlite.rows} rows ` +
        `${seconds(sqlite.contentDigestS)}`,
    );

  // restore dir: = checks + extract (a copy, one file at a time, each fsynced) + verify.
  emptyTarget();
  const dirExtract = await ourPart("restore dir: extract alone", "extract", `dir:${store}`, target);
  emptyTarget();
  await part("cp -a alone", ["cp", "-a", store, target]);
  emptyTarget();
  await part("cp -a, then fsync every file and directory", [
    "sh",
    "-c",
    `cp -a ${quote(store)} ${quote(target)} && find ${quote(target)} -print0 | xargs -0 sync`,
  ]);
  emptyTarget();
  const probe = join(work, "reflink-probe");
  const reflink = await measure(["cp", "--reflink=always", join(large, "blob-0.bin"), probe], {
    cwd: work,
    scratch: work,
  });
  rmSync(probe, { force: true });
  const fsType = await measure(["stat", "-f", "-c", "%T", work], { cwd: work, scratch: work });
  log(
    `  reflinks (cp --reflink=always) on ${fsType.stdout.trim()}: ` +
      `${reflink.exitCode === 0 ? "supported" : "not supported"}`,
  );

  // restore tar: = checks + extract (gunzip, parse, write, fsync) + verify.
  const tarExtract = await ourPart(
    "restore tar: extract alone",
    "extract",
    `tar:${archive}`,
    target,
  );
  emptyTarget();
  await ourPart("gunzip and tar parse in node (node-tar), nothing written", "tar", archive);
  await part("gzip -dc of the archive, 1 process", [
    "sh",
    "-c",
    `gzip -dc ${quote(archive)} >/dev/null`,
  ]);
  await part("tar -xzf alone", [
    "sh",
    "-c",
    `mkdir ${quote(target)} && tar -xzf ${quote(archive)} -C ${quote(target)}`,
  ]);
  emptyTarget();

  // What the medians are made of, once the parts are known.
  const verifyS = timings.verify[0].seconds;
  const s = (part, key = "seconds") => (part ? seconds(part[key]) : "?");
  log("\nwhat the medians are made of (approximately: parts were timed apart)");
  log(
    `  verify ${seconds(verifyS)}: start-up and fixed cost ${s(fixed)}, evidence ${s(evidence)},` +
      ` store checks ${s(checks)} (of which hashing ${s(hashing)} and, beside it, SQLite ` +
      `integrity ${s(sqlite, "integrityS")}; the content digest, ${s(sqlite, "contentDigestS")},` +
      ` runs only when the database's bytes differ from the release's)`,
  );
  for (const [name, timing, extracted] of [
    ["restore dir:", timings.restoreDir[0], dirExtract],
    ["restore tar: (gzip)", timings.restoreTar[0], tarExtract],
  ]) {
    log(
      `  ${name} ${seconds(timing.seconds)}: extract ${s(extracted)} (copying and hashing in` +
        ` one pass), then the checks that need no re-read: lstat of each path, the SQLite checks`,
    );
  }
}
