// The datasets of a store without a catalog (pure): each SQLite database and pg_dump, named by
// its file name without extension; where several share that name (Metis keeps one db.sqlite per
// instance directory), by as many of their directories as tell them apart: `a/db`, `b/db`.
// Names that nothing tells apart (db.sqlite beside db.dump) are refused with the fix named.
import type { Artifact, DatasetEntry } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";

/** The file name without its extension (a pg_dump's `.sql.gz`, `.dump.gz` as one). */
export function stemOf(artifact: Pick<Artifact, "path" | "kind">): string {
  return artifact.path
    .replace(/^.*\//, "")
    .replace(artifact.kind === "pgdump" ? /(\.[^.]*)?\.gz$|\.[^.]*$/ : /\.[^.]*$/, "");
}

/** `k` directories above the file, then its stem: `instances/a/db.sqlite`, 1 → `a/db`. */
function nameWithDirs(path: string, stem: string, k: number): string {
  const dirs = path.split("/").slice(0, -1);
  return [...dirs.slice(Math.max(0, dirs.length - k)), stem].join("/");
}

/** The fewest directories that give every member of a group a name of its own, or null. */
function distinctNames(group: readonly Pick<Artifact, "path">[], stem: string): string[] | null {
  const depth = Math.max(...group.map((a) => a.path.split("/").length - 1));
  for (let k = 1; k <= depth; k++) {
    const names = group.map((a) => nameWithDirs(a.path, stem, k));
    if (new Set(names).size === names.length) return names;
  }
  return null;
}

/** The members of a group whose whole directory path and stem are another's too. */
function indistinct(group: readonly Pick<Artifact, "path">[], stem: string): string[] {
  const full = group.map((a) => nameWithDirs(a.path, stem, Number.MAX_SAFE_INTEGER));
  return group
    .filter((_, i) => full.indexOf(full[i] ?? "") !== full.lastIndexOf(full[i] ?? ""))
    .map((a) => a.path);
}

/** The name of each database (by path), and the groups of paths no name tells apart. */
export function datasetNamesOf(databases: readonly Pick<Artifact, "path" | "kind">[]): {
  names: Map<string, string>;
  collisions: { stem: string; paths: string[] }[];
} {
  const byStem = new Map<string, Pick<Artifact, "path" | "kind">[]>();
  for (const database of databases) {
    const stem = stemOf(database);
    byStem.set(stem, [...(byStem.get(stem) ?? []), database]);
  }
  const names = new Map<string, string>();
  const collisions: { stem: string; paths: string[] }[] = [];
  for (const [stem, group] of byStem) {
    const [only] = group;
    if (group.length === 1 && only !== undefined) {
      names.set(only.path, stem);
      continue;
    }
    const distinct = distinctNames(group, stem);
    if (distinct === null) collisions.push({ stem, paths: indistinct(group, stem) });
    else group.forEach((a, index) => names.set(a.path, distinct[index] ?? stem));
  }
  return { names, collisions };
}

export function catalogFreeDatasets(
  artifacts: readonly Pick<Artifact, "path" | "kind" | "digest">[],
): {
  datasets: DatasetEntry[];
  findings: ClassifiedFinding[];
} {
  const databases = artifacts.filter((a) => a.kind === "sqlite" || a.kind === "pgdump");
  const { names, collisions } = datasetNamesOf(databases);
  const datasets = databases.flatMap((a) => {
    const name = names.get(a.path);
    return name === undefined ? [] : [{ name, path: a.path, digest: a.digest, catalogEntry: {} }];
  });
  return { datasets, findings: collisions.map((c) => datasetsCollide(c.stem, c.paths)) };
}

export function datasetsCollide(stem: string, paths: readonly string[]): ClassifiedFinding {
  return createFinding("dataset_name_collision", {
    subject: paths.join(", "),
    expected: "one dataset name per database",
    actual: `${paths.length} databases named ${JSON.stringify(stem)}`,
    message: `${paths.join(", ")}: these databases would all be the dataset ${JSON.stringify(stem)}, and nothing in their paths tells them apart`,
  });
}
