// What make-store.mjs and writer.mjs share: the projects, how a document is ingested (its
// chunks into SQLite, their vectors into the vector index), and the registry.
import { appendFileSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const PROJECTS = [
  { id: "p05-interferometer", name: "P05 interferometer", topic: "p05 interferometer optics" },
  { id: "p06-cryostat", name: "P06 cryostat", topic: "p06 cryostat thermal shields" },
  { id: "p07-spectrometer", name: "P07 spectrometer", topic: "p07 spectrometer gratings" },
];

/** The vector collection's segment directory, named by its id as Chroma names them. */
export const COLLECTION = "6f1c2a4e-93d1-4b7a-9c55-0e2f7d8a1b30";
const DIMENSIONS = 32;

/** `--store <dir>`, default ./store. */
export function storeArgument(args) {
  const at = args.indexOf("--store");
  return resolve(at >= 0 && args[at + 1] ? args[at + 1] : "store");
}

/** A document and its five chunks; returns the chunk ids. */
export function ingestDocument(db, project, number, time) {
  const document = db
    .prepare(
      "INSERT INTO source_documents (project_id, path, title, ingested_at) VALUES (?, ?, ?, ?)",
    )
    .run(
      project.id,
      `vault/${project.id}/note-${number}.md`,
      `Note ${number}`,
      new Date(time).toISOString(),
    ).lastInsertRowid;
  const insert = db.prepare(
    "INSERT INTO source_chunks (document_id, chunk_index, content) VALUES (?, ?, ?)",
  );
  const ids = [];
  for (let index = 0; index < 5; index++)
    ids.push(
      insert.run(
        document,
        index,
        `${project.topic}: note ${number}, part ${index}, measurements and decisions`,
      ).lastInsertRowid,
    );
  return ids;
}

/** Each chunk's vector appended to the segment files, and recorded in chroma.sqlite3. */
export function appendVectors(store, chroma, chunkIds) {
  const segment = join(store, "data/chroma", COLLECTION);
  const vectors = Buffer.alloc(chunkIds.length * DIMENSIONS * 4);
  chunkIds.forEach((id, i) => {
    for (let d = 0; d < DIMENSIONS; d++)
      vectors.writeFloatLE(Math.sin(Number(id) * 7 + d), (i * DIMENSIONS + d) * 4);
  });
  appendFileSync(join(segment, "data_level0.bin"), vectors);
  appendFileSync(join(segment, "link_lists.bin"), Buffer.alloc(chunkIds.length * 8));
  const insert = chroma.prepare("INSERT INTO embeddings (segment_id, chunk_id) VALUES (?, ?)");
  for (const id of chunkIds) insert.run(COLLECTION, id);
  const count = chroma.prepare("SELECT count(*) FROM embeddings").pluck().get();
  const header = Buffer.alloc(16);
  header.writeUInt32LE(DIMENSIONS, 0);
  header.writeUInt32LE(count, 4);
  writeFileSync(join(segment, "header.bin"), header);
  writeFileSync(join(segment, "length.bin"), Buffer.from(String(count)));
}

/** The registry, replaced atomically (a backup never reads half of it). */
export function writeRegistry(store, updatedAt, extraAliases) {
  const registry = {
    version: 1,
    updated_at: updatedAt,
    projects: PROJECTS.map((p) => ({
      id: p.id,
      name: p.name,
      aliases: [p.id.slice(0, 3), ...extraAliases.filter((a) => a.startsWith(p.id.slice(0, 3)))],
    })),
  };
  const file = join(store, "config/project-registry.json");
  writeFileSync(`${file}.tmp`, `${JSON.stringify(registry, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** The aliases the registry has now beyond the short one of each project. */
export function registryAliases(store) {
  const registry = JSON.parse(readFileSync(join(store, "config/project-registry.json"), "utf8"));
  return registry.projects.flatMap((p) => p.aliases.slice(1));
}
