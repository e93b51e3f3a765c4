// The layers of src/, bottom first (docs/architecture.md draws them). A folder imports only the
// folders before it in this table: those of the layers below its own, and those left of it in
// its own layer. eslint.config.js turns the table into one `no-restricted-imports` rule per
// folder, so `npm run lint` fails on an import that looks up; scripts/import-graph.mjs checks
// that the folders import each other in no circle at all. A file directly in src/ is named with
// its extension (index.ts); every folder of src/ must be here (test/architecture.test.ts).
export const LAYERS = [
  { layer: "base", folders: ["identity", "util", "findings"] },
  { layer: "documents", folders: ["documents"] },
  { layer: "rules and parts", folders: ["policy", "postgres", "service", "probes", "store"] },
  { layer: "backups", folders: ["archive", "snapshots", "sources"] },
  {
    layer: "operations",
    folders: ["report", "restore", "seal", "init", "shard", "gate", "audit", "drill"],
  },
  { layer: "verbs", folders: ["verbs"] },
  { layer: "entry points", folders: ["index.ts", "cli"] },
];

/** Every folder (and top file), bottom first. */
export const ORDER = LAYERS.flatMap(({ folders }) => folders);

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The regular expression of a relative import of `target` (a folder of src/, or a file directly
 * in it) written in `folder`: `../store/...` from inside a folder, `./store/...` from src/ itself.
 */
function importOf(target, folder) {
  const up = folder.endsWith(".ts") ? "\\./" : "(?:\\.\\./)+";
  return target.endsWith(".ts")
    ? `^${up}${escape(target.replace(/\.ts$/, ""))}(?:\\.js)?$`
    : `^${up}${escape(target)}(?:/|$)`;
}

/** ESLint flat-config entries: for each folder, the folders above it may not be imported (the top one may import any). */
export function layerRules() {
  return ORDER.slice(0, -1).map((folder, index) => {
    const above = ORDER.slice(index + 1);
    const where = LAYERS.find(({ folders }) => folders.includes(folder)).layer;
    return {
      files: folder.endsWith(".ts") ? [`src/${folder}`] : [`src/${folder}/**/*.ts`],
      rules: {
        "no-restricted-imports": [
          "error",
          {
            patterns: above.map((target) => ({
              regex: importOf(target, folder),
              message: `src/${folder} (layer "${where}") may not import src/${target}, which is above it: a folder imports only the layers below it (docs/architecture.md). Move what it needs down instead.`,
            })),
          },
        ],
      },
    };
  });
}
