// init's layout (pure): where the store, the drill config, the rollback policy and the snapshot
// repository are, from the flags, and the commands to run next with those paths.
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { InitPaths } from "../init/plan-init.js";
import { SIGNING_KEY } from "../init/plan-init.js";
import { displayPath } from "../util/display-path.js";

export type InitFlags = {
  /** The store root (default ./ops/store). */
  readonly root?: string;
  /** Where the rollback policy goes, in the Atlas layout (default ./ops). */
  readonly ops?: string;
  /** Where the drill config goes (default <ops>/drill.json). */
  readonly config?: string;
};

export type InitLayout = {
  readonly cwd: string;
  readonly root: string;
  readonly configPath: string;
  readonly policyPath: string;
  /** The drill config's base directory: above ops/ when the config is in one. */
  readonly baseDir: string;
  readonly repository: string;
  /** The drill config's key, whether or not it is there yet. */
  readonly signingKey: string;
  /** What the scaffold names, relative to baseDir, and what the store root must not count. */
  readonly names: InitPaths;
};

/** A path as the drill config names it: relative to baseDir, or absolute when outside it. */
function fromBase(baseDir: string, path: string): string {
  const rel = relative(baseDir, path);
  if (rel === "") return ".";
  if (rel.startsWith("..") || isAbsolute(rel)) return path;
  return rel.split(sep).join("/");
}

/** A glob of the store for `path` when it is inside the store root, else null. */
function insideStore(root: string, path: string): string | null {
  const rel = relative(root, path);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return null;
  return `${rel.split(sep).join("/")}/**`;
}

/**
 * Where snapshots go: .recoverable/snapshots beside ops/, unless that is inside the store root
 * (a snapshot would hold the ones before it): then <root>.snapshots beside the root.
 */
function repositoryFor(root: string, baseDir: string): string {
  const beside = join(baseDir, ".recoverable", "snapshots");
  return insideStore(root, beside) === null ? beside : `${root}.snapshots`;
}

export function initLayoutOf(flags: InitFlags, cwd: string): InitLayout {
  const root = resolve(cwd, flags.root ?? "ops/store");
  const opsDir = resolve(cwd, flags.ops ?? "ops");
  const configPath = resolve(cwd, flags.config ?? join(opsDir, "drill.json"));
  const configDir = dirname(configPath);
  const baseDir = basename(configDir) === "ops" ? dirname(configDir) : configDir;
  // The ops folder, the config's and .recoverable are not the store, even when inside it.
  const exclude = [opsDir, configDir, join(baseDir, ".recoverable")]
    .map((p) => insideStore(root, p))
    .filter((g, i, all): g is string => g !== null && all.indexOf(g) === i);
  const repository = repositoryFor(root, baseDir);
  return {
    cwd,
    root,
    configPath,
    policyPath: join(opsDir, "datasets", "rollback-policy.json"),
    baseDir,
    repository,
    signingKey: join(baseDir, SIGNING_KEY),
    names: {
      store: fromBase(baseDir, root),
      ops: fromBase(baseDir, opsDir),
      repository: fromBase(baseDir, repository),
      exclude,
    },
  };
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./#-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** keygen (when there is no key yet), seal, snapshot and drill, with this layout's paths. */
export function nextCommands(layout: InitLayout, keyExists: boolean): string[] {
  const { cwd, baseDir, configPath, repository } = layout;
  const withConfig =
    configPath === join(cwd, "ops", "drill.json") ? [] : ["-C", displayPath(configPath)];
  const line = (...words: string[]) => ["recoverable", ...words].map(shellWord).join(" ");
  const name =
    basename(baseDir)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[^a-z0-9]+/, "") || "store";
  return [
    ...(keyExists ? [] : [line("keygen", "--out", displayPath(dirname(layout.signingKey)))]),
    line("seal", ...withConfig, "--release-id", `${name}-1`, "--release-version", "1.0.0"),
    line("snapshot", ...withConfig, "--repo", displayPath(repository), "--label", "first"),
    line("drill", ...withConfig),
  ];
}
