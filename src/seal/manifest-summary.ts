// What seal keeps of its manifest while the artifacts stream to the file: the little the packet
// and the checks after it need (the SQLite and pg_dump artifacts, the artifacts at the paths
// the packet names), the findings said once each, and what the schema says of any artifact.
import { checkSchema } from "../documents/schema-validation.js";
import type { Artifact } from "../documents/types.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import type { DigestSet } from "../identity/digest.js";
import { displayPath } from "../util/display-path.js";
import type { Described } from "./apply-level.js";
import type { ArtifactRef } from "./build-packet.js";
import type { StagedManifest } from "./staged-manifest.js";

export type ManifestSummary = {
  /** digestOfJSON of the manifest written. */
  readonly digest: DigestSet;
  /** Every SQLite and pg_dump artifact, in the manifest's order. */
  readonly databases: readonly ArtifactRef[];
  /** The artifact at each path asked for that the manifest lists. */
  readonly named: ReadonlyMap<string, ArtifactRef>;
  /** What selecting and describing the entries found, each cause once. */
  readonly findings: ClassifiedFinding[];
  /** The manifest's own schema check (none, unless seal describes an artifact wrongly). */
  readonly problems: readonly ClassifiedFinding[];
};

export class SummaryBuilder {
  private readonly databases: ArtifactRef[] = [];
  private readonly named = new Map<string, ArtifactRef>();
  private readonly findings: ClassifiedFinding[] = [];
  private readonly said = new Set<string>();
  private readonly problems: ClassifiedFinding[] = [];
  private readonly file: string;

  constructor(
    private readonly manifest: StagedManifest,
    /** The paths whose artifacts are kept (catalog, runtime config, catalog datasets). */
    private readonly wanted: ReadonlySet<string>,
  ) {
    this.file = displayPath(manifest.path);
  }

  /** An entry described: its artifact is written, or its finding kept (a cause said once). */
  take(item: Described): void {
    if ("finding" in item) {
      // A cause shared by several dumps (no PostgreSQL here) is said once.
      const { code, subject, message } = item.finding;
      const key = `${code}\n${subject}\n${message}`;
      if (!this.said.has(key)) this.findings.push(item.finding);
      this.said.add(key);
      return;
    }
    const { artifact } = item;
    this.problems.push(...schemaProblems(artifact, this.manifest.count, this.file));
    this.manifest.add(artifact);
    const ref = { path: artifact.path, kind: artifact.kind, digest: artifact.digest };
    if (artifact.kind === "sqlite" || artifact.kind === "pgdump") this.databases.push(ref);
    if (this.wanted.has(artifact.path)) this.named.set(artifact.path, ref);
  }

  /** The summary, once every entry was taken; `before` are the selection's findings. */
  finish(digest: DigestSet, before: readonly ClassifiedFinding[]): ManifestSummary {
    return {
      digest,
      databases: this.databases,
      named: this.named,
      findings: [...before, ...this.findings],
      problems: this.problems,
    };
  }
}

/**
 * The artifact checked against the manifest's schema as the only element of a manifest, its
 * findings then pointing at its real place, /artifacts/<index>, as a check of the whole does.
 */
function schemaProblems(artifact: Artifact, index: number, file: string): ClassifiedFinding[] {
  const problems = checkSchema(
    "manifest",
    { schemaVersion: 1, artifacts: [artifact] } as never,
    file,
  );
  if (problems.length === 0 || index === 0) return problems;
  const moved = (text: string, from: string) =>
    text.startsWith(from) ? `${from.slice(0, -1)}${index}${text.slice(from.length)}` : text;
  return problems.map((finding) => ({
    ...finding,
    subject: moved(finding.subject, `${file}#/artifacts/0`),
    message: moved(finding.message, `${file}: /artifacts/0`),
  }));
}
