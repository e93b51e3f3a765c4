// The many-files store of issue 21: `files` small files of 100 B to 4 KiB (text and random
// bytes, 1000 to a directory) and one SQLite database of `databaseBytes`, built once into a
// cache folder and reused by later runs (bench/out/cache by default, ignored by git). A marker
// written last says the build finished; a folder without it is rebuilt from scratch.
import { randomInt } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setImmediate as yieldToEvents } from "node:timers/promises";
import { makeRandomPool, makeTextPool, sliceOf, writeSQLite } from "./build-store.mjs";

const SMALL_MIN = 100;
const SMALL_MAX = 4096;
const FILES_PER_DIR = 1000;
// Bump when the layout changes, so old caches are rebuilt rather than measured.
const LAYOUT = 1;

function markerOf(folder) {
  return join(folder, "built.json");
}

/** What a finished build in `folder` holds, or null when there is none of this shape. */
export function cachedBuild(folder, files, databaseBytes) {
  try {
    const built = JSON.parse(readFileSync(markerOf(folder), "utf8"));
    const same =
      built.layout === LAYOUT && built.files === files && built.databaseBytes === databaseBytes;
    return same && existsSync(built.store) ? built : null;
  } catch {
    return null;
  }
}

async function writeSmallFiles(root, files, randomPool, textPool) {
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const dir = join(root, "files", `d${String(Math.floor(i / FILES_PER_DIR)).padStart(5, "0")}`);
    if (i % FILES_PER_DIR === 0) mkdirSync(dir, { recursive: true });
    const size = SMALL_MIN + randomInt(SMALL_MAX - SMALL_MIN + 1);
    const text = i % 2 === 0;
    const content = sliceOf(text ? textPool : randomPool, size);
    writeFileSync(join(dir, `f${String(i).padStart(7, "0")}.${text ? "txt" : "bin"}`), content);
    bytes += size;
    if (i % 1000 === 999) await yieldToEvents(); // let Ctrl-C be handled
  }
  return bytes;
}

/**
 * Builds the store into `folder`/store (unless a finished build of the same shape is there) and
 * returns { store, files, bytes, database, databaseBytes, built: true when built now }.
 */
export async function manyFilesStore(folder, files, databaseBytes, log) {
  const cached = cachedBuild(folder, files, databaseBytes);
  if (cached !== null) {
    log(`  reusing the store built ${cached.date} in ${cached.store}`);
    return { ...cached, built: false };
  }
  rmSync(folder, { recursive: true, force: true });
  const store = join(folder, "store");
  mkdirSync(join(store, "datasets"), { recursive: true });
  const started = process.hrtime.bigint();
  const randomPool = makeRandomPool();
  const textPool = makeTextPool(8 * 1024 * 1024);
  const smallBytes = await writeSmallFiles(store, files, randomPool, textPool);
  const database = join(store, "datasets", "big.sqlite");
  await writeSQLite(database, databaseBytes, randomPool, textPool);
  const built = {
    layout: LAYOUT,
    files,
    databaseBytes,
    store,
    database,
    bytes: smallBytes + statSync(database).size,
    buildSeconds: Number(process.hrtime.bigint() - started) / 1e9,
    date: new Date().toISOString(),
  };
  writeFileSync(markerOf(folder), `${JSON.stringify(built, null, 2)}\n`);
  return { ...built, built: true };
}
