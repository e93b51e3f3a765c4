// Where verify's time goes per small file (issue 21 item 2), with the project's built code
// (dist/) on a real store: each part timed alone on one thread, then the worker pool's two passes
// and the whole verifyStore, so the rest (the main thread's bookkeeping) is what is left over.
// Run warm (the store in the page cache): `node scripts/bench/per-file.mjs <store> <ops>`.
// Prints one JSON object: for each part, microseconds a file of wall time and of CPU time (the
// process's user + system: on a busy machine wall time mostly says how long it waited for a
// core, CPU time what the part costs). The pool parts run on one worker thread.
import { createHash } from "node:crypto";
import { closeSync, constants, lstatSync, openSync, readdirSync, readSync } from "node:fs";
import { join, relative } from "node:path";

const dist = (path) => import(new URL(`../../dist/${path}`, import.meta.url).href);
const now = () => process.hrtime.bigint();
const seconds = (start) => Number(now() - start) / 1e9;

/** Every regular file under root (readdir only: no lstat). */
function filesUnder(root) {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

/** CPU time of the process so far, microseconds. */
function cpuMicros() {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Wall and CPU microseconds a file of `work` over every file, on this thread, best of `rounds`. */
function perFile(files, work, rounds = 3) {
  let best = { wall: Infinity, cpu: Infinity };
  for (let round = 0; round < rounds; round++) {
    const start = now();
    const cpu = cpuMicros();
    for (const file of files) work(file);
    best = {
      wall: Math.min(best.wall, (seconds(start) / files.length) * 1e6),
      cpu: Math.min(best.cpu, (cpuMicros() - cpu) / files.length),
    };
  }
  return { wall: round2(best.wall), cpu: round2(best.cpu) };
}

async function perFileAsync(count, work) {
  const start = now();
  const cpu = cpuMicros();
  await work();
  return {
    wall: round2((seconds(start) / count) * 1e6),
    cpu: round2((cpuMicros() - cpu) / count),
  };
}

const round2 = (value) => Math.round(value * 100) / 100;

async function main() {
  const [store, ops] = process.argv.slice(2);
  if (!store || !ops) throw new Error("usage: per-file.mjs <store> <ops>");
  const files = filesUnder(store).filter((file) => lstatSync(file).size < 64 * 1024);
  const { walkStore } = await dist("store/walk-store.js");
  const { StorePool } = await dist("store/store-pool.js");
  const { loadEvidence } = await dist("documents/load-evidence.js");
  const { atlasPaths } = await dist("documents/evidence-paths.js");
  const { verifyStore } = await dist("store/verify-store.js");
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  const contents = files.slice(0, 20_000).map((file) => {
    const fd = openSync(file, constants.O_RDONLY);
    const n = readSync(fd, buffer, 0, buffer.length, null);
    closeSync(fd);
    return Buffer.from(buffer.subarray(0, n));
  });

  const parts = {
    files: files.length,
    walkAsyncGenerator: await perFileAsync(files.length, async () => {
      for await (const entry of walkStore(store)) void entry;
    }),
    lstat: perFile(files, (file) => lstatSync(file)),
    openReadClose: perFile(files, (file) => {
      const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
      while (readSync(fd, buffer, 0, buffer.length, null) > 0);
      closeSync(fd);
    }),
    sha256: perFile(contents, (bytes) => createHash("sha256").update(bytes).digest("hex")),
  };
  const pool = new StorePool(1);
  try {
    const paths = files.map((file) => relative(store, file));
    const requests = files.map((file) => ({ file, expectedSize: lstatSync(file).size }));
    await pool.digestAll(requests.slice(0, 1000));
    parts.poolProbeOneWorker = await perFileAsync(files.length, () => pool.probe(store, paths));
    parts.poolDigestOneWorker = await perFileAsync(files.length, () => pool.digestAll(requests));
    // A message that asks for nothing: what a round trip to a worker costs by itself.
    parts.messageRoundTrip = await perFileAsync(20_000, () =>
      Promise.all(Array.from({ length: 20_000 }, () => pool.probe(store, ["-"]))),
    );
  } finally {
    await pool.close();
  }
  const evidence = await loadEvidence(atlasPaths(ops));
  const manifest = evidence.ok ? evidence.evidence.manifest : null;
  if (manifest === null) throw new Error(`cannot load the evidence in ${ops}`);
  let findings = -1;
  parts.verifyStore = await perFileAsync(files.length, async () => {
    findings = (await verifyStore(store, manifest)).findings.length;
  });
  parts.verifyStoreFindings = findings;
  process.stdout.write(`${JSON.stringify(parts, null, 2)}\n`);
}

await main();
