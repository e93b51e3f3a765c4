// Times one part of what recoverable does, with the project's own built code (dist/), so the
// benchmark can say what bounds each operation. Prints one JSON object on stdout.
//   hash <root>               every file through the worker pool's digestAll (as verify does)
//   sqlite <db>               sha256 of the file, PRAGMA integrity_check (read page by page as
//                             verify does, then through a memory map), content digest
//   evidence <ops>            load and validate the evidence documents, check the chain
//   store <root> <ops>        verifyStore alone: the store checks of verify, evidence loaded
//   extract <source> <dir>    a restore source's extract() into an empty <dir>, nothing verified
//   tar <archive>             gunzip and parse with node-tar, bodies discarded
//   hashers <MiB>             SHA-256 of one buffer: node:crypto against @noble/hashes
import { createReadStream, mkdirSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const dist = (path) => import(new URL(`../../dist/${path}`, import.meta.url).href);
const since = (start) => Number(process.hrtime.bigint() - start) / 1e9;

async function timed(work) {
  const start = process.hrtime.bigint();
  const value = await work();
  return { seconds: since(start), value };
}

/** timed, with the CPU time (user + system) of this process: what the work costs when busy. */
async function timedCPU(work) {
  const before = process.cpuUsage();
  const result = await timed(work);
  const { user, system } = process.cpuUsage(before);
  return { ...result, cpuSeconds: (user + system) / 1e6 };
}

function filesUnder(root) {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

async function hashAll(root) {
  const { StorePool } = await dist("store/store-pool.js");
  const files = filesUnder(root).map((file) => ({ file, expectedSize: statSync(file).size }));
  const pool = new StorePool();
  try {
    const { seconds, value } = await timed(() => pool.digestAll(files));
    return { seconds, files: files.length, bytes: value.reduce((sum, d) => sum + d.size, 0) };
  } finally {
    await pool.close();
  }
}

async function sqliteParts(path) {
  const { digestFile } = await dist("store/file-digest.js");
  const { hashSQLiteContent } = await dist("store/sqlite-content.js");
  const { default: Database } = await import("better-sqlite3");
  const file = await timed(() => digestFile(path));
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma("cache_size = -2000"); // as src/store/sqlite-inspect.ts
    const integrity = await timedCPU(() => db.prepare("PRAGMA integrity_check").pluck().all());
    db.pragma(`mmap_size = ${2 ** 40}`);
    const mapped = await timedCPU(() => db.prepare("PRAGMA integrity_check").pluck().all());
    db.pragma("mmap_size = 0");
    const content = await timed(() => hashSQLiteContent(db));
    return {
      fileDigestS: file.seconds,
      integrityS: integrity.seconds,
      integrityCpuS: integrity.cpuSeconds,
      integrityMappedS: mapped.seconds,
      integrityMappedCpuS: mapped.cpuSeconds,
      contentDigestS: content.seconds,
      integrity: integrity.value,
      rows: content.value.tables.reduce((sum, t) => sum + t.rows, 0),
      bytes: file.value.size,
    };
  } finally {
    db.close();
  }
}

/** The evidence loader and chain check, imported before any timing starts. */
async function evidenceLoader() {
  const { atlasPaths } = await dist("documents/evidence-paths.js");
  const { loadEvidence } = await dist("documents/load-evidence.js");
  const { verifyChain } = await dist("documents/identity-chain.js");
  return async (ops) => {
    const paths = atlasPaths(resolve(ops));
    const loaded = await loadEvidence(paths);
    if (!loaded.ok) throw new Error(`evidence in ${ops} does not load`);
    const chain = verifyChain(loaded.evidence, loaded.files);
    if (chain.length > 0) throw new Error(`evidence in ${ops}: the chain does not hold`);
    return { evidence: loaded.evidence, manifestBytes: statSync(paths.manifest).size };
  };
}

async function evidenceParts(ops) {
  const loadAndCheck = await evidenceLoader();
  const { seconds, value } = await timed(() => loadAndCheck(ops));
  return {
    seconds,
    manifestBytes: value.manifestBytes,
    artifacts: value.evidence.manifest.artifacts.length,
  };
}

async function storeChecks(root, ops) {
  const { verifyStore } = await dist("store/verify-store.js");
  const { evidence } = await (await evidenceLoader())(ops);
  const { seconds, value } = await timed(() => verifyStore(resolve(root), evidence.manifest, {}));
  if (value.findings.some((f) => f.severity === "error")) throw new Error("the store fails");
  return { seconds, artifacts: value.checked.artifacts };
}

async function extract(sourceText, scratch) {
  const { parseSourceRef } = await dist("archive/source.js");
  const { openSource } = await dist("sources/open-source.js");
  const ref = parseSourceRef(sourceText, process.cwd());
  const source = "code" in ref ? ref : openSource(ref, {});
  if ("code" in source) throw new Error(`${sourceText}: ${source.message}`);
  mkdirSync(scratch);
  const { seconds, value } = await timed(() => source.extract(resolve(scratch)));
  if (value.findings.length > 0) throw new Error(`${sourceText}: ${value.findings[0].message}`);
  return { seconds, files: value.files, bytes: value.bytes };
}

async function parseTar(path) {
  const { Parser } = await import("tar");
  let entries = 0;
  const { seconds } = await timed(
    () =>
      new Promise((done, fail) => {
        const parser = new Parser({ strict: true });
        parser.on("entry", (entry) => {
          entries++;
          entry.resume();
        });
        parser.on("error", fail);
        parser.on("end", done);
        const input = createReadStream(path, { highWaterMark: 1024 * 1024 });
        input.on("error", fail);
        input.pipe(parser);
      }),
  );
  return { seconds, entries };
}

/**
 * SHA-256 of one in-memory buffer of <MiB> on one thread: node:crypto (OpenSSL, SHA
 * instructions) against @noble/hashes (pure JS; here through age-encryption's dependency).
 */
async function hashers(mib) {
  const { createHash, randomBytes } = await import("node:crypto");
  const buffer = randomBytes(Number(mib) * 1024 * 1024);
  const node = await timed(() => createHash("sha256").update(buffer).digest("hex"));
  let noble = null;
  try {
    const { sha256 } = await import("@noble/hashes/sha2.js");
    const chunk = 1024 * 1024;
    noble = await timed(() => {
      const hash = sha256.create();
      for (let i = 0; i < buffer.length; i += chunk) hash.update(buffer.subarray(i, i + chunk));
      return Buffer.from(hash.digest()).toString("hex");
    });
    if (noble.value !== node.value) throw new Error("@noble/hashes and node:crypto disagree");
  } catch (error) {
    if (error.code !== "ERR_MODULE_NOT_FOUND") throw error;
  }
  return { bytes: buffer.length, nodeS: node.seconds, nobleS: noble?.seconds ?? null };
}

const MODES = {
  hashers: [hashers, 1],
  hash: [hashAll, 1],
  sqlite: [sqliteParts, 1],
  evidence: [evidenceParts, 1],
  store: [storeChecks, 2],
  extract: [extract, 2],
  tar: [parseTar, 1],
};
const [mode, ...args] = process.argv.slice(2);
if (!(mode in MODES) || args.length !== MODES[mode][1]) {
  console.error(`usage: node scripts/bench/parts.mjs ${Object.keys(MODES).join("|")} <args>`);
  process.exit(2);
}
console.log(JSON.stringify(await MODES[mode][0](...args)));
