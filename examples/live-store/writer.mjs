// The service's day of writes on the example's live store, as AtoCore makes them: new
// interactions, a document ingested (its chunks in SQLite, their vectors appended to the vector
// index), and the project registry changed. No release is sealed for any of it.
//
//   node writer.mjs [--store <dir>] [--rows <n>]   one day: n interactions (default 10)
//   node writer.mjs [--store <dir>] --follow       writes interactions without pause, in WAL
//                                                  mode, until SIGTERM or SIGINT (a running
//                                                  service, for seal and snapshot to cope with)
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { setTimeout } from "node:timers";
import Database from "better-sqlite3";
import {
  appendVectors,
  ingestDocument,
  PROJECTS,
  registryAliases,
  storeArgument,
  writeRegistry,
} from "./store-lib.mjs";

const args = process.argv.slice(2);
const store = storeArgument(args);
if (!existsSync(join(store, "data/db/atocore.db"))) {
  console.error(`writer: no store at ${store}; make it with node make-store.mjs`);
  process.exit(2);
}
const rowsAt = args.indexOf("--rows");
const rows = rowsAt >= 0 ? Number(args[rowsAt + 1]) : 10;
const db = new Database(join(store, "data/db/atocore.db"), { timeout: 30_000 });
db.pragma("journal_mode = wal");
const insert = db.prepare(
  "INSERT INTO interactions (project_id, prompt, response, chunks_used, created_at) VALUES (?, ?, ?, ?, ?)",
);
const interaction = (i) => {
  const project = PROJECTS[i % PROJECTS.length];
  insert.run(
    project.id,
    `question about ${project.id}`,
    `answer ${i}`,
    1 + (i % 5),
    new Date().toISOString(),
  );
};

if (args.includes("--follow")) {
  let written = 0;
  let stopping = false;
  for (const signal of ["SIGTERM", "SIGINT"])
    process.on(signal, () => {
      stopping = true;
    });
  console.log(`writer: following ${relative(process.cwd(), store)} (pid ${process.pid})`);
  // One small transaction every few milliseconds: the -wal file is never empty for long, and
  // SQLite checkpoints it into the database file now and then, as a live service does.
  const tick = () => {
    if (stopping) {
      db.close();
      console.log(`writer: stopped after ${written} interactions`);
      process.exit(0);
    }
    db.transaction(() => {
      for (let i = 0; i < 2; i++) interaction(written++);
    })();
    setTimeout(tick, 5);
  };
  tick();
} else {
  const now = Date.now();
  db.transaction(() => {
    for (let i = 0; i < rows; i++) interaction(i);
  })();
  const documents = db.prepare("SELECT count(*) FROM source_documents").pluck().get();
  const project = PROJECTS[documents % PROJECTS.length];
  const chroma = new Database(join(store, "data/chroma/chroma.sqlite3"));
  appendVectors(store, chroma, ingestDocument(db, project, documents, now));
  chroma.close();
  db.close();
  const aliases = registryAliases(store);
  writeRegistry(store, new Date(now).toISOString(), [
    ...aliases,
    `${project.id.slice(0, 3)}-${documents}`,
  ]);
  console.log(
    `writer: ${rows} interactions, document ${documents} of ${project.id} ingested, registry changed`,
  );
}
