// Prints the folder import graph of src/ (each folder -> the folders it imports, with how many
// imports; type-only and dynamic imports count too) and exits 1 naming a cycle when the folders
// import each other in a circle (docs/architecture.md). `npm test` runs it, so a cycle fails the
// suite. A file directly in src/ (index.ts) is a node of its own.
//
//   node scripts/import-graph.mjs [source root, default src/]
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "../src"));

/** Every .ts file under the root, recursively. */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The node a file belongs to: its top folder under the root, or its own name at the top. */
function nodeOf(file) {
  return relative(root, file).split(sep)[0];
}

/** folder -> (folder -> the imports, as "file: specifier"), relative imports inside the root only. */
function folderEdges(files) {
  const edges = new Map();
  for (const file of files) {
    const from = nodeOf(file);
    if (!edges.has(from)) edges.set(from, new Map());
    const imports = ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles;
    for (const { fileName } of imports) {
      if (!fileName.startsWith(".")) continue;
      const target = resolve(dirname(file), fileName);
      if (relative(root, target).startsWith("..")) continue;
      const to = nodeOf(target.replace(/\.js$/, ".ts"));
      if (to === from) continue;
      const into = edges.get(from);
      if (!into.has(to)) into.set(to, []);
      into.get(to).push(`${relative(root, file)}: ${fileName}`);
    }
  }
  return edges;
}

/** The strongly connected components of more than one folder (Tarjan). */
function cycles(edges) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const found = [];
  const visit = (node) => {
    index.set(node, index.size);
    low.set(node, index.get(node));
    stack.push(node);
    for (const next of edges.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

/** One circle through the component, from its first folder back to it (breadth first). */
function circleIn(component, edges) {
  const inside = new Set(component);
  const start = component[0];
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of edges.get(node)?.keys() ?? []) {
      if (!inside.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (previous.get(path[0]) !== null) path.unshift(previous.get(path[0]));
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return component;
}

/** The folders, those imported by the others first (alphabetical when there is a cycle). */
function bottomUp(edges) {
  const order = [];
  const done = new Set();
  const place = (node, path) => {
    if (done.has(node) || path.has(node)) return;
    path.add(node);
    for (const next of [...(edges.get(node)?.keys() ?? [])].sort()) place(next, path);
    path.delete(node);
    done.add(node);
    order.push(node);
  };
  for (const node of [...edges.keys()].sort()) place(node, new Set());
  return order;
}

const edges = folderEdges(sourceFiles(root));
for (const node of bottomUp(edges)) {
  const into = [...(edges.get(node)?.entries() ?? [])].sort(([a], [b]) => a.localeCompare(b));
  const list = into.map(([to, imports]) => `${to} (${imports.length})`).join(", ");
  console.log(`${node} -> ${list === "" ? "(nothing)" : list}`);
}
const found = cycles(edges);
if (found.length > 0) {
  for (const component of found) {
    const circle = circleIn(component, edges);
    console.error(`\nimport cycle: ${circle.join(" -> ")}`);
    for (let i = 0; i + 1 < circle.length; i++) {
      const [first] = edges.get(circle[i]).get(circle[i + 1]);
      console.error(`  ${circle[i]} -> ${circle[i + 1]}: ${first}`);
    }
    if (component.length > circle.length - 1)
      console.error(`  (${component.length} folders in this cycle: ${component.join(", ")})`);
  }
  console.error(
    "\nA folder may only import the layers below it (docs/architecture.md): move the type or " +
      "function that is imported upward down to the layer that needs it.",
  );
  process.exit(1);
}
