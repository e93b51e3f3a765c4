// What a probe is and answers, as values: its check, its context, the words its check says
// whether it ran or not, and how the findings of probes a service did not answer are merged.
import type { Packet, Probe } from "../documents/types.js";
import type { FindingCode } from "../findings/catalogue.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import type { SQLAnswer } from "../postgres/session.js";
import { isSecretHeader } from "../service/redact.js";
import type { Unmet } from "./expectations.js";
import type { CheckStatus } from "../documents/drill-report.js";

export type ProbeCheck = {
  readonly name: string;
  readonly type: Probe["type"];
  readonly status: CheckStatus;
  readonly target: string;
  readonly expected: string;
  readonly actual: string;
  readonly durationMs: number;
  readonly request?: { readonly method: string; readonly headers: Record<string, string> };
};

/** Answers sql probes on pg_dump datasets from the databases the drill restored them into. */
export type PGQuerier = {
  query(
    storePath: string,
    absolutePath: string,
    sql: string,
    timeoutMs: number,
  ): Promise<SQLAnswer>;
};

export type ProbeContext = {
  readonly baseURL: string | null;
  readonly storeRoot: string;
  readonly packet: Packet;
  readonly allowedHosts: readonly string[];
  readonly secretHeaders: readonly string[];
  /** Store paths of the release's pg_dump artifacts: their sql probes go to PostgreSQL. */
  readonly pgdumps?: ReadonlySet<string>;
  readonly postgres?: PGQuerier | null;
};

/** How long a probe waits for its answer, unless it says. */
export const DEFAULT_TIMEOUT_MS = 10_000;

const DEFAULT_PATHS = { http: "/", identity: "/release", catalog: "/catalog" } as const;

/**
 * What a probe asks and what it expects, as its check says it: the same words whether the probe
 * ran or was skipped, so every report of a release lists the same checks.
 */
export function describeProbe(
  probe: Probe,
  packet: Packet,
  expectedIdentity: string,
): { readonly target: string; readonly expected: string } {
  switch (probe.type) {
    case "sql":
      return {
        target: `${probe.dataset ?? "?"}: ${probe.query ?? ""}`,
        expected: JSON.stringify(probe.expect ?? {}),
      };
    case "identity":
      return {
        target: probe.path ?? DEFAULT_PATHS.identity,
        expected: `the service serves release identity ${expectedIdentity}`,
      };
    case "catalog":
      return {
        target: probe.path ?? DEFAULT_PATHS.catalog,
        expected: `every dataset of the release (${packet.datasets.map((d) => d.name).join(", ")}) at version ${packet.release.version}`,
      };
    case "http":
      return { target: probe.path ?? DEFAULT_PATHS.http, expected: describeHTTPExpect(probe) };
  }
}

export function describeHTTPExpect(probe: Probe): string {
  const parts = [`status ${probe.expect?.status ?? 200}`];
  if (probe.expect?.bodyContains !== undefined)
    parts.push(`body contains ${JSON.stringify(probe.expect.bodyContains)}`);
  for (const j of probe.expect?.json ?? []) {
    if ("equals" in j) parts.push(`${j.pointer} = ${JSON.stringify(j.equals)}`);
    if (j.exists !== undefined) parts.push(`${j.pointer} ${j.exists ? "present" : "absent"}`);
    if (j.minItems !== undefined) parts.push(`${j.pointer} has at least ${j.minItems} items`);
  }
  return parts.join(", ");
}

export type Outcome = {
  check: ProbeCheck;
  findings: ClassifiedFinding[];
  /** The service gave no answer at all: where, and the transport's error. */
  unanswered?: { readonly origin: string; readonly error: string };
};

/** Why a probe got no answer to judge, when that is its failure; the hint follows it. */
export type NoAnswer = "unanswered" | "no_service" | "host_not_allowed";

export function outcome(
  probe: Probe,
  target: string,
  started: number,
  unmet: Unmet[],
  code: FindingCode,
  expectedAll: string,
  extra: Partial<ProbeCheck> = {},
  cause?: NoAnswer,
): Outcome {
  const check: ProbeCheck = {
    name: probe.name,
    type: probe.type,
    status: unmet.length === 0 ? "passed" : "failed",
    target,
    expected: expectedAll,
    actual: unmet.length === 0 ? "as expected" : unmet.map((u) => u.actual).join("; "),
    durationMs: Date.now() - started,
    ...extra,
  };
  const findings = unmet.map((u) => {
    const input = {
      subject: `probe:${probe.name}`,
      expected: u.expected,
      actual: u.actual,
      message: `probe ${probe.name} (${target}): expected ${u.expected}, got ${u.actual}`,
    };
    // No answer to judge: the hint says why, not "check the dataset".
    return cause === undefined
      ? createFinding(code, input)
      : createFinding("probe_failed", { ...input, cause });
  });
  return { check, findings };
}

/**
 * A service that does not answer is one finding, not one per probe: the probes that got the
 * same error from the same service share it, named by the service (their checks still fail
 * one by one). A probe alone in its error keeps its own finding.
 */
export function mergeUnanswered(results: readonly Outcome[]): ClassifiedFinding[] {
  const keyOf = (r: Outcome) =>
    r.unanswered ? `${r.unanswered.origin}\n${r.unanswered.error}` : "";
  const groups = new Map<string, Outcome[]>();
  for (const r of results)
    if (r.unanswered) groups.set(keyOf(r), [...(groups.get(keyOf(r)) ?? []), r]);
  const findings: ClassifiedFinding[] = [];
  for (const r of results) {
    const group = groups.get(keyOf(r));
    if (r.unanswered === undefined || group === undefined || group.length < 2) {
      findings.push(...r.findings);
      continue;
    }
    if (group[0] !== r) continue;
    const { origin, error } = r.unanswered;
    findings.push(
      createFinding("probe_failed", {
        subject: origin,
        expected: "an answer",
        actual: error,
        message: `${origin} did not answer ${group.length} probes (${group.map((g) => g.check.name).join(", ")}): ${error}`,
        cause: "unanswered",
      }),
    );
  }
  return findings;
}

/** Every secret a probe sends, so the service log can be redacted of it too. */
export function probeSecrets(probes: readonly Probe[], secretHeaders: readonly string[]): string[] {
  return probes.flatMap((p) =>
    Object.entries(p.headers ?? {})
      .filter(([k]) => isSecretHeader(k, secretHeaders))
      .map(([, v]) => v),
  );
}
