// The Atlas query service: the example service that drills start against a restored store.
// It opens the store read-only, serves the catalog and a query endpoint per dataset, and
// reports the release it serves, computed from what it loaded: the packet's identity only when
// every dataset and the catalog it opened have the digests that packet names.
//
//   RECOVERABLE_STORE=<store root> RECOVERABLE_PACKET=<packet.json> PORT=<port> node atlas-service.mjs
//
// ATLAS_DATASETS=<name,name> serves only those datasets of the catalog (default: all of them);
// a service started with too short a list is a real misconfiguration a drill must catch.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import Database from "better-sqlite3";

const store = process.env.RECOVERABLE_STORE;
const port = Number(process.env.PORT ?? 0);
const packetPath = process.env.RECOVERABLE_PACKET;
const only = process.env.ATLAS_DATASETS ? process.env.ATLAS_DATASETS.split(",") : null;
if (!store) {
  console.error("atlas-service: RECOVERABLE_STORE is not set");
  process.exit(2);
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
// RFC 8785 for a value JSON.parse made: keys sorted by UTF-16 code units (JavaScript's own
// order), strings and numbers as JSON.stringify writes them (which is what RFC 8785 asks).
const canonicalize = (value) =>
  Array.isArray(value)
    ? `[${value.map(canonicalize).join(",")}]`
    : value !== null && typeof value === "object"
      ? `{${Object.keys(value)
          .sort()
          .map((key) => `${JSON.stringify(key)}:${canonicalize(value[key])}`)
          .join(",")}}`
      : JSON.stringify(value);
const state = { ready: false, catalog: null, datasets: new Map(), release: null, error: null };

function load() {
  const runtime = JSON.parse(readFileSync(join(store, "config", "runtime.json"), "utf8"));
  const catalogBytes = readFileSync(join(store, runtime.catalog ?? "catalog.json"));
  state.catalog = JSON.parse(catalogBytes.toString("utf8"));
  if (only) state.catalog.datasets = state.catalog.datasets.filter((d) => only.includes(d.name));
  const loaded = {};
  for (const entry of state.catalog.datasets) {
    const path = join(store, entry.path);
    // A pg_dump dataset is served from PostgreSQL, not by this service: it is part of the
    // release (its digest counts) and the drill queries it itself (sql probes).
    if (entry.format === "pg_dump") {
      loaded[entry.name] = sha256(readFileSync(path));
      continue;
    }
    const db = new Database(path, { readonly: true, fileMustExist: true });
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all();
    state.datasets.set(entry.name, { db, tables: new Set(tables), entry });
    loaded[entry.name] = sha256(readFileSync(path));
  }
  state.release = releaseOf(sha256(catalogBytes), loaded);
  state.ready = true;
  console.log(
    `atlas-service: loaded ${state.datasets.size} datasets from ${store}; release ${state.release.releaseId ?? "unknown"}`,
  );
}

/** The release this service serves: the packet's identity only when what was loaded matches it. */
function releaseOf(catalogDigest, loaded) {
  const datasets = Object.fromEntries(
    Object.entries(loaded).map(([name, digest]) => [name, { sha256: digest }]),
  );
  if (!packetPath)
    return {
      releaseId: null,
      version: null,
      releaseIdentity: null,
      catalog: { sha256: catalogDigest },
      datasets,
      mismatches: ["no packet given"],
    };
  const packet = JSON.parse(readFileSync(packetPath, "utf8"));
  const mismatches = [];
  if (packet.catalog && packet.catalog.digest.sha256 !== catalogDigest) mismatches.push("catalog");
  for (const dataset of packet.datasets) {
    if (loaded[dataset.name] !== dataset.digest.sha256) mismatches.push(dataset.name);
  }
  const identity = mismatches.length === 0 ? { sha256: sha256(canonicalize(packet)) } : null;
  return {
    releaseId: packet.release.id,
    version: packet.release.version,
    releaseIdentity: identity,
    catalog: { sha256: catalogDigest },
    datasets,
    mismatches,
  };
}

function send(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

function route(request, response) {
  const url = new URL(request.url ?? "/", "http://localhost");
  const parts = url.pathname.split("/").filter(Boolean);
  if (url.pathname === "/healthz") return send(response, 200, { status: "alive" });
  if (url.pathname === "/readyz")
    return state.ready
      ? send(response, 200, { status: "ready" })
      : send(response, 503, { status: "loading", error: state.error });
  if (!state.ready) return send(response, 503, { error: "not ready" });
  if (url.pathname === "/release") return send(response, 200, state.release);
  if (url.pathname === "/catalog") {
    return send(response, 200, {
      release: { id: state.release.releaseId, version: state.release.version },
      datasets: state.catalog.datasets.map((d) => ({
        name: d.name,
        title: d.title,
        tables: d.tables,
        version: state.release.version,
      })),
    });
  }
  if (parts[0] === "datasets" && parts.length === 3) {
    const dataset = state.datasets.get(parts[1]);
    if (!dataset) {
      const served = state.catalog.datasets.find((d) => d.name === parts[1]);
      return served
        ? send(response, 404, { error: `${parts[1]} is a pg_dump, served from PostgreSQL` })
        : send(response, 404, { error: `no dataset ${parts[1]}` });
    }
    const table = url.searchParams.get("table") ?? [...dataset.tables][0];
    if (!dataset.tables.has(table))
      return send(response, 404, { error: `no table ${table} in ${parts[1]}` });
    const quoted = `"${table.replaceAll('"', '""')}"`;
    if (parts[2] === "count")
      return send(response, 200, {
        dataset: parts[1],
        table,
        count: dataset.db.prepare(`SELECT count(*) FROM ${quoted}`).pluck().get(),
      });
    if (parts[2] === "rows") {
      const limit = Math.min(Number(url.searchParams.get("limit") ?? 10), 1000);
      const offset = Number(url.searchParams.get("offset") ?? 0);
      return send(response, 200, {
        dataset: parts[1],
        table,
        rows: dataset.db.prepare(`SELECT * FROM ${quoted} LIMIT ? OFFSET ?`).all(limit, offset),
      });
    }
  }
  return send(response, 404, { error: "not found" });
}

const server = createServer((request, response) => {
  try {
    route(request, response);
  } catch (error) {
    send(response, 500, { error: String(error.message ?? error) });
  }
});

server.listen(port, "127.0.0.1", () => {
  console.log(`atlas-service: listening on 127.0.0.1:${server.address().port}`);
  try {
    load();
  } catch (error) {
    state.error = String(error.message ?? error);
    console.error(`atlas-service: cannot load the store: ${state.error}`);
    process.exit(1);
  }
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    console.log(`atlas-service: ${signal}, closing`);
    server.close(() => process.exit(0));
    for (const { db } of state.datasets.values()) db.close();
  });
}
