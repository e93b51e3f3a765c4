// What names a dataset outside the catalog must name one the release has (pure): each sql or
// http probe's `dataset`, and each `{postgres.url:<dataset>}` placeholder of the service (a pg_dump
// dataset; `{postgres.url}` alone needs exactly one). Checked by seal and before a drill runs,
// so a wrong name is bad input said at once, not a probe failing halfway through a drill.
import type { ResolvedService } from "./drill-config.js";
import type { ArtifactKind, DatasetEntry, Probe } from "./types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";

/** `{postgres.url}` or `{postgres.url:<dataset>}`, anywhere in a string. */
export const POSTGRES_URL_PLACEHOLDER = /\{postgres\.url(?::([^{}]+))?\}/g;

export type DatasetReferenceInput = {
  /** Where findings point: the drill config file, or "drill config". */
  readonly configName: string;
  readonly probes: readonly Probe[];
  readonly service: ResolvedService | null;
  readonly datasets: readonly DatasetEntry[];
  /** The kind of each dataset's artifact, by its store path. */
  readonly kindOf: (path: string) => ArtifactKind | undefined;
};

function listed(names: readonly string[]): string {
  return names.length === 0 ? "none" : names.map((n) => JSON.stringify(n)).join(", ");
}

function probeFindings(input: DatasetReferenceInput): ClassifiedFinding[] {
  const names = input.datasets.map((d) => d.name);
  return input.probes.flatMap((probe, index) =>
    (probe.type !== "sql" && probe.type !== "http") ||
    probe.dataset === undefined ||
    names.includes(probe.dataset)
      ? []
      : [
          createFinding("dataset_unknown", {
            subject: `${input.configName}#/probes/${index}/dataset`,
            expected: `one of the release's datasets: ${listed(names)}`,
            actual: JSON.stringify(probe.dataset),
            message: `${probe.type} probe "${probe.name}" reads dataset ${JSON.stringify(probe.dataset)}, which the release does not have (its datasets: ${listed(names)})`,
          }),
        ],
  );
}

/** Each place of the service's command and environment, with where it is in the config. */
function servicePlaces(service: ResolvedService): [string, string][] {
  return [
    ...service.command.map((part, i): [string, string] => [`service/command/${i}`, part]),
    ...Object.entries(service.env).map(([k, v]): [string, string] => [`service/env/${k}`, v]),
  ];
}

function placeholderFindings(input: DatasetReferenceInput): ClassifiedFinding[] {
  if (input.service === null) return [];
  const dumps = input.datasets.filter((d) => input.kindOf(d.path) === "pgdump").map((d) => d.name);
  const findings: ClassifiedFinding[] = [];
  for (const [pointer, text] of servicePlaces(input.service)) {
    for (const match of text.matchAll(POSTGRES_URL_PLACEHOLDER)) {
      const named = match[1];
      const ok = named === undefined ? dumps.length === 1 : dumps.includes(named);
      if (ok) continue;
      findings.push(
        createFinding("dataset_unknown", {
          subject: `${input.configName}#/${pointer}`,
          expected:
            named === undefined
              ? "exactly one pg_dump dataset (else name it: {postgres.url:<dataset>})"
              : `one of the release's pg_dump datasets: ${listed(dumps)}`,
          actual: named === undefined ? `${dumps.length} pg_dump datasets` : JSON.stringify(named),
          message:
            named === undefined
              ? `${match[0]} in ${pointer} needs the release to have exactly one pg_dump dataset; it has ${dumps.length} (${listed(dumps)}): name one, {postgres.url:<dataset>}`
              : `${match[0]} in ${pointer} names ${JSON.stringify(named)}, which is not a pg_dump dataset of the release (its pg_dump datasets: ${listed(dumps)})`,
        }),
      );
    }
  }
  return findings;
}

export function checkDatasetReferences(input: DatasetReferenceInput): ClassifiedFinding[] {
  return [...probeFindings(input), ...placeholderFindings(input)];
}
