// The example's service, shaped like AtoCore's: the checks of its post-restore verification
// (health, stats, the project registry, a known context query) answered from a store root.
// A drill starts it on the restored store.
//
//   RECOVERABLE_STORE=<store root> PORT=<port> node atocore-service.mjs
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import Database from "better-sqlite3";

const store = process.env.RECOVERABLE_STORE;
const port = Number(process.env.PORT ?? 0);
if (!store) {
  console.error("atocore-service: RECOVERABLE_STORE is not set");
  process.exit(2);
}

const db = new Database(join(store, "data/db/atocore.db"), { fileMustExist: true });
const chroma = new Database(join(store, "data/chroma/chroma.sqlite3"), { fileMustExist: true });
const registry = JSON.parse(readFileSync(join(store, "config/project-registry.json"), "utf8"));
const count = (database, table) => database.prepare(`SELECT count(*) FROM ${table}`).pluck().get();

function send(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

/** The chunks of a project that hold a word of the prompt: what AtoCore's retriever returns. */
function buildContext(prompt, project) {
  const words = String(prompt)
    .toLowerCase()
    .split(/\W+/)
    .filter((w) => w.length >= 3 && !["what", "about", "the", "is"].includes(w));
  const search = db.prepare(`
    SELECT d.path AS document, c.content FROM source_chunks c
    JOIN source_documents d ON d.id = c.document_id
    WHERE d.project_id = ? AND instr(lower(c.content), ?) > 0 ORDER BY c.id LIMIT 8`);
  const seen = new Map();
  for (const word of words) for (const row of search.all(project, word)) seen.set(row.content, row);
  return { chunks_used: seen.size, chunks: [...seen.values()] };
}

function route(request, response, body) {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (url.pathname === "/health") return send(response, 200, { status: "ok" });
  if (url.pathname === "/stats")
    return send(response, 200, {
      projects: count(db, "projects"),
      documents: count(db, "source_documents"),
      chunks: count(db, "source_chunks"),
      interactions: count(db, "interactions"),
      vectors: count(chroma, "embeddings"),
    });
  if (url.pathname === "/projects") return send(response, 200, { projects: registry.projects });
  if (url.pathname === "/context/build" && request.method === "POST") {
    const { prompt, project } = JSON.parse(body || "{}");
    return send(response, 200, buildContext(prompt, project));
  }
  return send(response, 404, { error: "not found" });
}

const server = createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    try {
      route(request, response, body);
    } catch (error) {
      send(response, 500, { error: String(error.message ?? error) });
    }
  });
});

server.listen(port, "127.0.0.1", () => {
  console.log(`atocore-service: serving ${store} on 127.0.0.1:${server.address().port}`);
});

for (const signal of ["SIGTERM", "SIGINT"])
  process.on(signal, () => {
    server.close(() => process.exit(0));
    db.close();
    chroma.close();
  });
