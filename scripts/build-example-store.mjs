// Builds the bundled Atlas example store (ops/store) deterministically: the datasets of
// scripts/example-datasets.mjs and the documents below, no clock, so a run reproduces the
// committed store byte for byte and sealing it gives the release identity the README shows.
//
// It builds into a new sibling directory and puts it in place only when everything is built;
// files it does not build (the pg_dump of scripts/build-example-pgdump.mjs, anything added by
// hand) are carried over from the store it replaces. A failed build leaves the store untouched.
//   node scripts/build-example-store.mjs [--out <dir>]     (default: ops/store)
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { COUNTRIES, buildAirports, buildCities, buildWeather } from "./example-datasets.mjs";
import { GAZETTEER, GAZETTEER_TABLES } from "./example-gazetteer.mjs";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

function count(path, table) {
  const db = new Database(path, { readonly: true });
  const n = db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
  db.close();
  return n;
}

const DATASETS = [
  {
    name: "cities",
    title: "Cities and countries",
    description:
      "Populated places with coordinates, population, elevation and time zone; the countries they belong to.",
    tables: ["cities", "countries"],
  },
  {
    name: "airports",
    title: "Airports and runways",
    description: "Airports by IATA code with their city and runways.",
    tables: ["airports", "runways"],
  },
  {
    name: "weather-normals",
    title: "Monthly climate normals",
    description: "Mean temperature, precipitation and sunshine by month for weather stations.",
    tables: ["stations", "monthly_normals"],
  },
];

/** Writes the whole store into `dir` (empty); returns nothing, throws on any failure. */
function buildInto(dir) {
  for (const sub of ["datasets", "config", "summaries", "cache/tiles/0/0"]) {
    mkdirSync(join(dir, sub), { recursive: true });
  }
  const dataset = (name) => join(dir, "datasets", `${name}.sqlite`);
  const cities = buildCities(dataset("cities"));
  buildAirports(dataset("airports"), cities);
  buildWeather(dataset("weather-normals"), cities);

  const rows = (name) =>
    DATASETS.find((d) => d.name === name).tables.map((table) => ({
      name: table,
      rows: count(dataset(name), table),
    }));
  const write = (path, value) => writeFileSync(join(dir, path), json(value));
  // The gazetteer's rows are fixed (scripts/example-gazetteer.mjs), so it is listed whether or
  // not its dump is there yet.
  write("catalog.json", {
    schemaVersion: 1,
    datasets: DATASETS.map((d) => ({
      name: d.name,
      path: `datasets/${d.name}.sqlite`,
      title: d.title,
      description: d.description,
      tables: rows(d.name),
      license: "CC0-1.0",
    })).concat({
      name: GAZETTEER.name,
      path: GAZETTEER.path,
      format: "pg_dump",
      title: GAZETTEER.title,
      description: GAZETTEER.description,
      tables: GAZETTEER_TABLES,
      license: "CC0-1.0",
    }),
  });
  write("config/runtime.json", {
    schemaVersion: 1,
    service: "atlas-query",
    listen: { host: "127.0.0.1", port: 0 },
    catalog: "catalog.json",
    datasetsDir: "datasets",
    cache: { dir: "cache", maxEntries: 500 },
    limits: { maxRowsPerQuery: 1000, queryTimeoutMs: 2000 },
    features: { nearestCity: true, airportSearch: true },
  });

  const byContinent = {};
  for (const city of cities) {
    const continent = COUNTRIES.find((c) => c[0] === city.code)[2];
    byContinent[continent] = (byContinent[continent] ?? 0) + 1;
  }
  write("summaries/dataset-summary.json", {
    schemaVersion: 1,
    generatedFrom: "catalog.json",
    datasets: {
      cities: {
        tables: rows("cities"),
        totalPopulation: cities.reduce((n, c) => n + c.population, 0),
        citiesByContinent: Object.fromEntries(Object.entries(byContinent).sort()),
      },
      airports: { tables: rows("airports") },
      "weather-normals": { tables: rows("weather-normals") },
    },
  });
  write("cache/query-cache.json", {
    entries: [
      { query: "cities?country=NO&limit=5", storedAt: "2026-11-01T00:00:00Z", rows: 5 },
      { query: "airports?iata=OSL", storedAt: "2026-11-01T00:00:05Z", rows: 0 },
      { query: "normals?station=NO10000", storedAt: "2026-11-01T00:00:09Z", rows: 12 },
    ],
  });
  write("cache/tiles/0/0/0.json", {
    z: 0,
    x: 0,
    y: 0,
    features: cities.slice(0, 3).map((c) => ({ id: c.id, name: c.name })),
  });

  const stray = filesUnder(dir).filter((f) => /-(journal|wal|shm)$/.test(f));
  if (stray.length > 0) throw new Error(`unexpected files left behind: ${stray.join(", ")}`);
}

/** Every file under `dir`, relative to it, in sorted order. */
function filesUnder(dir) {
  const files = [];
  const walk = (at) => {
    for (const entry of readdirSync(at).sort()) {
      const path = join(at, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(relative(dir, path));
    }
  };
  walk(dir);
  return files;
}

/** Copies into `built` every file of the old store that the build did not make. */
function carryOver(old, built) {
  const kept = [];
  for (const file of filesUnder(old)) {
    if (existsSync(join(built, file))) continue;
    mkdirSync(dirname(join(built, file)), { recursive: true });
    cpSync(join(old, file), join(built, file), { preserveTimestamps: true });
    kept.push(file);
  }
  return kept;
}

/**
 * Builds the store into a fresh sibling of `out` and swaps it in: two renames (the old store
 * aside, the new one in), so `out` is never half-built; the old store is removed only after.
 */
function buildExampleStore(out) {
  const parent = dirname(out);
  mkdirSync(parent, { recursive: true });
  const next = join(parent, `.${basename(out)}.building-${process.pid}`);
  rmSync(next, { recursive: true, force: true });
  mkdirSync(next);
  try {
    if (existsSync(out)) chmodSync(next, statSync(out).mode & 0o7777);
    buildInto(next);
    const kept = existsSync(out) ? carryOver(out, next) : [];
    if (!kept.includes(GAZETTEER.path) && !existsSync(join(next, GAZETTEER.path))) {
      console.log(`no ${GAZETTEER.path} yet: run node scripts/build-example-pgdump.mjs`);
    }
    const aside = existsSync(out) ? `${next}.old` : null;
    if (aside !== null) renameSync(out, aside);
    renameSync(next, out);
    if (aside !== null) rmSync(aside, { recursive: true, force: true });
    return { files: filesUnder(out), kept };
  } catch (error) {
    rmSync(next, { recursive: true, force: true });
    throw error;
  }
}

function main() {
  const { values, positionals } = parseArgs({
    options: { out: { type: "string" } },
    allowPositionals: true,
  });
  const out = resolve(values.out ?? positionals[0] ?? join(REPO, "ops", "store"));
  try {
    const { files, kept } = buildExampleStore(out);
    const note = kept.length > 0 ? ` (kept: ${kept.join(", ")})` : "";
    console.log(`built ${out}: ${files.length} files${note}`);
  } catch (error) {
    console.error(`${out} was not rebuilt (left as it was): ${error.message}`);
    process.exitCode = 1;
  }
}

main();
