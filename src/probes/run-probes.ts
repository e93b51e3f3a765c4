// Runs the release's probes against the recovered service and store: http, sql, catalog and
// identity. Each returns a check; failures are findings. Probes reach only allowed hosts, and
// secret header values never reach a result.
import { request } from "undici";
import Database from "better-sqlite3";
import { join } from "node:path";
import type { Packet, Probe } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import type { FindingCode } from "../findings/catalogue.js";
import { parseDuration } from "../util/duration.js";
import { isSecretHeader, redactHeaders } from "../service/redact.js";
import { checkHTTPExpectations, checkSQLExpectations, type Unmet } from "./expectations.js";
import { lookupPointer } from "./json-pointer.js";
import type { SQLAnswer } from "../postgres/session.js";
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

const BODY_LIMIT = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

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

type Outcome = {
  check: ProbeCheck;
  findings: ClassifiedFinding[];
  /** The service gave no answer at all: where, and the transport's error. */
  unanswered?: { readonly origin: string; readonly error: string };
};

/** Why a probe got no answer to judge, when that is its failure; the hint follows it. */
type NoAnswer = "unanswered" | "no_service" | "host_not_allowed";

function outcome(
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

async function fetchText(
  url: string,
  probe: Probe,
  context: ProbeContext,
): Promise<{ status: number; body: string } | { error: string; cause: NoAnswer }> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (!context.allowedHosts.includes(host))
    return {
      error: `host ${host} is not in probeHosts of the drill config`,
      cause: "host_not_allowed",
    };
  const timeout = parseDuration(probe.timeout ?? "") ?? DEFAULT_TIMEOUT_MS;
  try {
    const response = await request(url, {
      method: probe.method ?? "GET",
      headers: { ...probe.headers },
      ...(probe.body === undefined ? {} : { body: probe.body }),
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    let body = "";
    for await (const chunk of response.body) {
      if (body.length < BODY_LIMIT) body += (chunk as Buffer).toString("utf8");
    }
    return { status: response.statusCode, body: body.slice(0, BODY_LIMIT) };
  } catch (error) {
    return { error: (error as Error).message, cause: "unanswered" };
  }
}

async function httpLike(
  probe: Probe,
  context: ProbeContext,
  judge: (status: number, body: string) => { unmet: Unmet[]; code: FindingCode; expected: string },
): Promise<Outcome> {
  const started = Date.now();
  const path = describeProbe(probe, context.packet, "").target;
  const requestInfo = {
    method: probe.method ?? "GET",
    headers: redactHeaders(probe.headers ?? {}, context.secretHeaders),
  };
  if (context.baseURL === null) {
    return outcome(
      probe,
      path,
      started,
      [
        {
          expected: "a service to probe",
          actual:
            "no service to probe: the drill config has no service (or, with --live, give --url)",
        },
      ],
      "probe_failed",
      "a service",
      { request: requestInfo },
      "no_service",
    );
  }
  const response = await fetchText(`${context.baseURL}${path}`, probe, context);
  if ("error" in response) {
    const failed = outcome(
      probe,
      path,
      started,
      [{ expected: "an answer", actual: response.error }],
      "probe_failed",
      "an answer",
      { request: requestInfo },
      response.cause,
    );
    return response.cause === "unanswered"
      ? { ...failed, unanswered: { origin: context.baseURL, error: response.error } }
      : failed;
  }
  const { unmet, code, expected } = judge(response.status, response.body);
  return outcome(probe, path, started, unmet, code, expected, { request: requestInfo });
}

function httpProbe(probe: Probe, context: ProbeContext): Promise<Outcome> {
  return httpLike(probe, context, (status, body) => ({
    unmet: checkHTTPExpectations(probe.expect, status, body),
    code: "probe_failed",
    expected: describeHTTPExpect(probe),
  }));
}

function describeHTTPExpect(probe: Probe): string {
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

function identityProbe(probe: Probe, context: ProbeContext, expected: string): Promise<Outcome> {
  const pointer = probe.identityPointer ?? "/releaseIdentity/sha256";
  return httpLike(probe, context, (status, body) => {
    let served: unknown = undefined;
    try {
      const found = lookupPointer(JSON.parse(body), pointer);
      served = found.found ? found.value : undefined;
    } catch {
      served = undefined;
    }
    const unmet =
      status === 200 && served === expected
        ? []
        : [
            {
              expected: `sha256 ${expected}`,
              actual:
                status !== 200
                  ? `status ${status}`
                  : served === undefined
                    ? `${pointer} absent`
                    : `${pointer} = ${JSON.stringify(served)}`,
            },
          ];
    return {
      unmet,
      code: "release_identity_mismatch",
      expected: describeProbe(probe, context.packet, expected).expected,
    };
  });
}

function catalogProbe(probe: Probe, context: ProbeContext): Promise<Outcome> {
  const { datasets, release } = context.packet;
  return httpLike(probe, context, (status, body) => {
    const unmet: Unmet[] = [];
    let listed: { name?: unknown; version?: unknown }[] = [];
    try {
      const found = lookupPointer(JSON.parse(body), "/datasets");
      if (found.found && Array.isArray(found.value))
        listed = found.value as { name?: unknown; version?: unknown }[];
    } catch {
      unmet.push({ expected: "a JSON catalog", actual: "not JSON" });
    }
    if (status !== 200) unmet.push({ expected: "status 200", actual: `status ${status}` });
    for (const dataset of datasets) {
      const entry = listed.find((d) => d.name === dataset.name);
      if (!entry)
        unmet.push({
          expected: `dataset ${dataset.name} in the catalog`,
          actual: `dataset ${dataset.name} missing`,
        });
      else if (entry.version !== undefined && entry.version !== release.version) {
        unmet.push({
          expected: `dataset ${dataset.name} at version ${release.version}`,
          actual: `version ${JSON.stringify(entry.version)}`,
        });
      }
    }
    return {
      unmet,
      code: "catalog_incomplete",
      expected: describeProbe(probe, context.packet, "").expected,
    };
  });
}

function sqlProbe(probe: Probe, context: ProbeContext): Outcome | Promise<Outcome> {
  const started = Date.now();
  const dataset = context.packet.datasets.find((d) => d.name === probe.dataset);
  const { target, expected } = describeProbe(probe, context.packet, "");
  if (!dataset)
    return outcome(
      probe,
      target,
      started,
      [{ expected: `dataset ${probe.dataset ?? "?"}`, actual: "not a dataset of the release" }],
      "probe_failed",
      expected,
    );
  if (context.pgdumps?.has(dataset.path)) return pgProbe(probe, dataset.path, context, target);
  let db: Database.Database | null = null;
  try {
    db = new Database(join(context.storeRoot, ...dataset.path.split("/")), {
      readonly: true,
      fileMustExist: true,
    });
    const statement = db.prepare(probe.query ?? "");
    if (!statement.readonly)
      return outcome(
        probe,
        target,
        started,
        [{ expected: "a read-only query", actual: "the query writes" }],
        "probe_failed",
        expected,
      );
    const rows = statement.reader
      ? (statement.raw(true).safeIntegers(true).all() as unknown[][])
      : [];
    return outcome(
      probe,
      target,
      started,
      checkSQLExpectations(probe.expect, rows),
      "probe_failed",
      expected,
    );
  } catch (error) {
    return outcome(
      probe,
      target,
      started,
      [{ expected: "the query runs", actual: (error as Error).message }],
      "probe_failed",
      expected,
    );
  } finally {
    db?.close();
  }
}

/** A sql probe of a pg_dump dataset: read-only, in the database the drill restored it into. */
async function pgProbe(
  probe: Probe,
  path: string,
  context: ProbeContext,
  target: string,
): Promise<Outcome> {
  const started = Date.now();
  const expected = JSON.stringify(probe.expect ?? {});
  const fail = (actual: string) =>
    outcome(
      probe,
      target,
      started,
      [{ expected: "the query runs", actual }],
      "probe_failed",
      expected,
    );
  if (!context.postgres) return fail("no PostgreSQL server to query the dump in");
  const timeout = parseDuration(probe.timeout ?? "") ?? DEFAULT_TIMEOUT_MS;
  const answer = await context.postgres.query(
    path,
    join(context.storeRoot, ...path.split("/")),
    probe.query ?? "",
    timeout,
  );
  if (!answer.ok) return fail(answer.error);
  return outcome(
    probe,
    target,
    started,
    checkSQLExpectations(probe.expect, answer.rows),
    "probe_failed",
    expected,
  );
}

export async function runProbes(
  probes: readonly Probe[],
  context: ProbeContext,
  expectedIdentity: string,
): Promise<{ checks: ProbeCheck[]; findings: ClassifiedFinding[] }> {
  const results: Outcome[] = [];
  for (const probe of probes) {
    const result =
      probe.type === "sql"
        ? await sqlProbe(probe, context)
        : probe.type === "identity"
          ? await identityProbe(probe, context, expectedIdentity)
          : probe.type === "catalog"
            ? await catalogProbe(probe, context)
            : await httpProbe(probe, context);
    results.push(result);
  }
  return { checks: results.map((r) => r.check), findings: mergeUnanswered(results) };
}

/**
 * A service that does not answer is one finding, not one per probe: the probes that got the
 * same error from the same service share it, named by the service (their checks still fail
 * one by one). A probe alone in its error keeps its own finding.
 */
function mergeUnanswered(results: readonly Outcome[]): ClassifiedFinding[] {
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
