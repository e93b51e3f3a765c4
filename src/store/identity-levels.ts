// Identity levels (pure): what the release pins of each artifact (docs/live-data.md). The drill
// config's `identity` rules choose a level by glob, first match wins, at seal time; the manifest
// records it, and every check after reads it back from the artifact alone.
import picomatch from "picomatch";
import type {
  Artifact,
  ArtifactKind,
  IdentityLevel,
  IdentityRule,
  SQLiteIdentity,
} from "../documents/types.js";
import type { PinnedBy } from "../documents/drill-report.js";

/** The rule that decides a path's level, with its place in the config; null: none matches. */
export type LevelRuleOf = (path: string) => { rule: IdentityRule; index: number } | null;

export function createLevelMatcher(rules: readonly IdentityRule[]): LevelRuleOf {
  const matchers = rules.map((rule, index) => ({
    rule,
    index,
    test: picomatch(rule.pattern, { dot: true }),
  }));
  return (path) => matchers.find((m) => m.test(path)) ?? null;
}

/**
 * The level seal records for an artifact of `kind`: the rule's, or for SQLite `sqlite.identity`,
 * else bytes. Levels that mean nothing more for a kind fall to the one they amount to: an
 * opaque file's content is its bytes, and so is a directory's; an opaque file's shape is that
 * it is there.
 */
export function sealedLevelOf(
  kind: ArtifactKind,
  ruleLevel: IdentityLevel | null,
  sqliteIdentity: SQLiteIdentity,
): IdentityLevel {
  const level = ruleLevel ?? (kind === "sqlite" ? sqliteIdentity : "bytes");
  if (level === "content" && (kind === "file" || kind === "dir")) return "bytes";
  if (level === "schema" && kind === "file") return "present";
  return level;
}

/** What the release pins of an artifact, as its manifest entry says. */
export function levelOf(artifact: Artifact): IdentityLevel {
  if (artifact.level !== undefined) return artifact.level;
  return artifact.sqlite?.identity === "content" ? "content" : "bytes";
}

/** Whether the release pins the artifact's exact bytes. */
export function bytesPinnedByRelease(artifact: Artifact): boolean {
  return levelOf(artifact) === "bytes";
}

/**
 * A live directory: a directory sealed at `schema` or `present` is one artifact, whatever it
 * holds; its members come and go (a vector index's segments) and are never listed one by one.
 */
export function isLiveDirectory(artifact: Pick<Artifact, "kind" | "level">): boolean {
  return artifact.kind === "dir" && (artifact.level === "schema" || artifact.level === "present");
}

export function pinnedByOf(artifact: Artifact, coveredByRecord: boolean): PinnedBy {
  if (bytesPinnedByRelease(artifact)) return "release";
  return coveredByRecord ? "backup record" : "content rules only";
}
