// Makes the example's live store, in the layout of AtoCore (a retrieval service whose SQLite
// database is written all day, docs/live-data.md):
//
//   store/data/db/atocore.db             projects, documents, chunks, interactions (WAL mode)
//   store/config/project-registry.json   the project registry
//   store/data/chroma/                   the vector index: chroma.sqlite3 and one segment
//                                        directory per collection (opaque binary files)
//   store/logs/, store/data/cache/, store/data/tmp/   not the store's: never backed up
//
//   node make-store.mjs [--store <dir>]      (default ./store; an existing store is kept)
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import Database from "better-sqlite3";
import {
  appendVectors,
  COLLECTION,
  ingestDocument,
  PROJECTS,
  storeArgument,
  writeRegistry,
} from "./store-lib.mjs";

const store = storeArgument(process.argv.slice(2));
if (existsSync(store)) {
  console.error(
    `make-store: ${relative(process.cwd(), store)} exists already; remove it to start over`,
  );
  process.exit(2);
}
for (const dir of ["data/db", "config", "data/chroma", "logs", "data/cache/embeddings", "data/tmp"])
  mkdirSync(join(store, dir), { recursive: true });

const db = new Database(join(store, "data/db/atocore.db"));
db.pragma("journal_mode = wal");
db.exec(`
  CREATE TABLE projects (id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT);
  CREATE TABLE source_documents (
    id INTEGER PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id),
    path TEXT NOT NULL UNIQUE, title TEXT, ingested_at TEXT NOT NULL);
  CREATE TABLE source_chunks (
    id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL REFERENCES source_documents(id),
    chunk_index INTEGER NOT NULL, content TEXT NOT NULL);
  CREATE TABLE interactions (
    id INTEGER PRIMARY KEY, project_id TEXT REFERENCES projects(id), prompt TEXT NOT NULL,
    response TEXT, chunks_used INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
  CREATE INDEX chunks_by_document ON source_chunks(document_id);
  CREATE INDEX interactions_by_project ON interactions(project_id);
  CREATE VIEW project_activity AS
    SELECT project_id, count(*) AS interactions FROM interactions GROUP BY project_id;
`);
const chroma = new Database(join(store, "data/chroma/chroma.sqlite3"));
chroma.exec(`
  CREATE TABLE collections (id TEXT PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE embeddings (id INTEGER PRIMARY KEY, segment_id TEXT NOT NULL, chunk_id INTEGER NOT NULL);
`);
chroma.prepare("INSERT INTO collections VALUES (?, ?)").run(COLLECTION, "atocore_chunks");
mkdirSync(join(store, "data/chroma", COLLECTION));

const insertProject = db.prepare("INSERT INTO projects VALUES (?, ?, ?)");
for (const project of PROJECTS) insertProject.run(project.id, project.name, project.topic);
const day = Date.parse("2026-11-01T08:00:00Z");
for (let document = 0; document < 36; document++) {
  const chunks = ingestDocument(db, PROJECTS[document % PROJECTS.length], document, day);
  appendVectors(store, chroma, chunks);
}
const insert = db.prepare(
  "INSERT INTO interactions (project_id, prompt, response, chunks_used, created_at) VALUES (?, ?, ?, ?, ?)",
);
db.transaction(() => {
  for (let i = 0; i < 900; i++) {
    const project = PROJECTS[i % PROJECTS.length];
    const at = new Date(day + i * 60_000).toISOString();
    insert.run(project.id, `question ${i} about ${project.id}`, `answer ${i}`, 1 + (i % 5), at);
  }
})();
chroma.close();
db.close();
writeRegistry(store, new Date(day).toISOString(), []);
writeFileSync(join(store, "logs/atocore.log"), "2026-11-01T08:00:00Z store made\n");
writeFileSync(join(store, "data/cache/embeddings/query-cache.bin"), Buffer.alloc(4096, 7));
console.log(
  `make-store: ${relative(process.cwd(), store)}: ${PROJECTS.length} projects, 36 documents, 900 interactions, a vector index`,
);
