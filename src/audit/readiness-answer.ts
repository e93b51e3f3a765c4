// Question 3 (pure): what checks prove the recovered instance is ready? A readiness check, an
// identity probe, at least one query probe per dataset of the release, and the last passing
// drill: signed by a trusted key, about this release, proven, within /drills/every.
import type { ResolvedService } from "../documents/drill-config.js";
import type { Packet, Probe, RollbackPolicy } from "../documents/types.js";
import type { DigestSet } from "../identity/digest.js";
import { formatDuration } from "../util/duration.js";
import { checkDrillSchedule } from "../policy/rules.js";
import { sampledRefusal, type SampledRefusal } from "../policy/sampled-drill.js";
import type { SignedReport } from "../report/trusted-reports.js";
import { ageMs, createAnswer, createGap, listSome, type Answer, type Gap } from "./answer.js";
import { describeProbe } from "./catalog-answer.js";
import type { DrillEvidence } from "./drill-evidence.js";

export type ReadinessAnswerInput = {
  readonly packet: Packet;
  readonly releaseIdentity: DigestSet;
  readonly service: ResolvedService | null;
  readonly drills: DrillEvidence;
  readonly policy: RollbackPolicy;
  readonly now: Date;
};

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * A query probe of a dataset: SQL on it, or HTTP that says so with its `dataset` field. A path
 * that merely names the dataset does not count: `/db/health` does not query a dataset `db`.
 */
export function queriesDataset(probe: Probe, dataset: string): boolean {
  return (probe.type === "sql" || probe.type === "http") && probe.dataset === dataset;
}

/** HTTP probes without a `dataset` whose path names the dataset as a whole segment: the hint's candidates. */
function namedInPath(probes: readonly Probe[], dataset: string): Probe[] {
  return probes.filter(
    (p) =>
      p.type === "http" &&
      p.dataset === undefined &&
      (p.path ?? "").split(/[/?&=#]/).some((segment) => decoded(segment) === dataset),
  );
}

function readiness(input: ReadinessAnswerInput, facts: string[], gaps: Gap[]): void {
  const { service, packet } = input;
  if (service !== null) {
    facts.push(
      `Readiness: the service (${service.command.join(" ")}) must answer GET ${service.readinessPath} within ${formatDuration(service.readinessTimeoutMs)} before any probe runs.`,
    );
    return;
  }
  // Without a service to start, an HTTP probe of the service itself (not of a dataset) shows it answers.
  const own = packet.probes.filter((p) => p.type === "http" && p.dataset === undefined);
  if (own.length > 0) {
    facts.push(`Readiness: ${listSome(own.map(describeProbe))} shows the service answers.`);
    return;
  }
  gaps.push(
    createGap("missing", "audit_gap", {
      subject: "readiness",
      expected: "a service with a readiness path, or an HTTP probe of the service",
      actual: "none",
      message:
        "nothing checks that the recovered service is ready: the drill config has no service with a readiness path and the release no HTTP probe of the service itself",
      hint: 'Add "service" with "readiness": {"path": "/readyz"} to the drill config, or an HTTP probe of the service\'s readiness path (then re-seal the release).',
    }),
  );
}

function probes(input: ReadinessAnswerInput, facts: string[], gaps: Gap[]): void {
  const { packet } = input;
  const identity = packet.probes.filter((p) => p.type === "identity");
  if (identity.length > 0)
    facts.push(
      `Identity: ${listSome(identity.map(describeProbe))} checks that the recovered service serves this release (sha256 ${input.releaseIdentity.sha256.slice(0, 12)}…).`,
    );
  else
    gaps.push(
      createGap("missing", "audit_gap", {
        subject: "probe:identity",
        expected: "a probe of type identity",
        actual: "none",
        message:
          "no identity probe is defined, so nothing proves that the recovered service serves this release rather than another one",
        hint: 'Add a probe {"name": "release-identity", "type": "identity", "path": "/release"} to the drill config and re-seal the release (probes live in the packet).',
      }),
    );
  for (const dataset of packet.datasets) {
    const queries = packet.probes.filter((p) => queriesDataset(p, dataset.name));
    if (queries.length > 0) {
      facts.push(`Dataset ${dataset.name}: queried by ${listSome(queries.map(describeProbe))}.`);
      continue;
    }
    const candidates = namedInPath(packet.probes, dataset.name);
    const aside =
      candidates.length === 0
        ? ""
        : ` (${listSome(candidates.map((p) => `"${p.name}"`))} names it in ${candidates.length === 1 ? "its path" : "their paths"} but does not say it queries it)`;
    gaps.push(
      createGap("missing", "audit_gap", {
        subject: `dataset:${dataset.name}`,
        expected: 'at least one query probe (sql on the dataset, or http with "dataset" naming it)',
        actual: "none",
        message: `dataset ${dataset.name} has no query probe${aside}, so a recovered service could serve it empty or broken and the drill would still pass`,
        hint:
          candidates.length > 0
            ? `Add "dataset": "${dataset.name}" to the probe ${candidates[0]?.name ?? ""} in the drill config if it queries this dataset, and re-seal the release.`
            : `Add a probe such as {"name": "${dataset.name}-rows", "type": "sql", "dataset": "${dataset.name}", "query": "SELECT count(*) FROM <table>", "expect": {"minRows": 1}} to the drill config and re-seal the release.`,
      }),
    );
  }
}

function newestOf(reports: readonly SignedReport[]): SignedReport | null {
  return reports.reduce<SignedReport | null>(
    (best, r) =>
      r.finishedAt !== null && (best?.finishedAt == null || r.finishedAt > best.finishedAt)
        ? r
        : best,
    null,
  );
}

/**
 * The newest report about this release, signed by a trusted key, whose verdict is proven; a
 * sampled drill only when the policy allows sampled drills (/drills/allowSampled).
 */
export function lastPassingDrill(
  reports: readonly SignedReport[],
  releaseIdentity: DigestSet,
  policy: RollbackPolicy,
): SignedReport | null {
  return newestOf(
    reports.filter(
      (r) =>
        r.releaseIdentity === releaseIdentity.sha256 &&
        r.verdict === "proven" &&
        sampledRefusal(r, policy) === null,
    ),
  );
}

function lastDrill(input: ReadinessAnswerInput, facts: string[], gaps: Gap[]): void {
  const { drills, policy, now } = input;
  if (drills.trustedKeys === 0) {
    gaps.push(
      createGap("missing", "audit_gap", {
        subject: "reports.trustedKeys",
        expected: "at least one trusted public key",
        actual: "none",
        message:
          "no trusted public key is configured or given, so no signed drill report can be believed",
        hint: 'Set "reports": {"trustedKeys": ["<drill.pub>"]} in the drill config, or pass --key <drill.pub>.',
      }),
    );
    return;
  }
  const ofRelease = drills.reports.filter(
    (r) => r.releaseIdentity === input.releaseIdentity.sha256,
  );
  const proven = ofRelease.filter((r) => r.verdict === "proven");
  facts.push(
    `Drill reports under ${drills.dir}: ${drills.files} found, ${drills.reports.length} signed by a trusted key (${drills.trustedKeys} trusted), ${ofRelease.length} about this release, ${proven.length} proven.`,
  );
  for (const rejected of drills.rejected.slice(0, 5))
    facts.push(`Not believed: ${rejected.message}`);
  const refused = proven.filter((r) => sampledRefusal(r, policy) !== null);
  const sampledOut = newestOf(refused);
  if (sampledOut !== null)
    facts.push(
      `${refused.length} proven drill${refused.length === 1 ? " was" : "s were"} sampled (drill --sample) and not counted: the rollback policy does not allow sampled drills (/drills/allowSampled); the newest is ${sampledOut.file}, sampled ${sampledOut.sampled ?? ""}.`,
    );
  const last = lastPassingDrill(proven, input.releaseIdentity, policy);
  const newest = newestOf(ofRelease);
  if (newest !== null && newest.verdict !== "proven" && newest.finishedAt !== null)
    facts.push(
      `The newest drill of this release (${newest.file}, finished ${newest.finishedAt.toISOString()}) was NOT proven: its verdict is ${JSON.stringify(newest.verdict)}.`,
    );
  const schedule = checkDrillSchedule(policy, last?.finishedAt ?? null, now);
  if (last?.finishedAt == null && sampledOut !== null) {
    const refusal = sampledRefusal(sampledOut, policy) as SampledRefusal;
    gaps.push(createGap("missing", "drill_sampled", refusal));
    return;
  }
  if (last?.finishedAt == null) {
    gaps.push(
      createGap("missing", "audit_gap", {
        subject: "drills",
        expected: schedule.expected,
        actual: "none",
        message: `no passing drill of this release signed by a trusted key was found under ${drills.dir}, so nothing shows this release can be recovered`,
        hint: "Run a drill of this release from its authoritative backup (`recoverable drill --source <src> --out <reports dir>/<name>`), signed with a key the audit trusts.",
      }),
    );
    return;
  }
  const objectives = (["rto", "rpo"] as const)
    .map((name) => {
      const seen = last.seenSeconds[name];
      // A drill's RTO is often under a second: show tenths rather than "0s".
      if (seen === null) return null;
      return `${name.toUpperCase()} ${seen < 60 ? `${seen}s` : formatDuration(seen * 1000)}`;
    })
    .filter((s) => s !== null);
  facts.push(
    `Last passing drill: ${last.file}${last.sampled === null ? "" : ` (sampled ${last.sampled}, as /drills/allowSampled allows)`}, signed by key ${last.keyId.slice(0, 12)}…, finished ${last.finishedAt.toISOString()} (${formatDuration(ageMs(last.finishedAt, now))} ago)${objectives.length > 0 ? `, ${objectives.join(", ")}` : ""}; the policy asks for one every ${policy.drills.every} (${schedule.passed ? "within it" : "OVER it"}).`,
  );
  if (!schedule.passed)
    gaps.push(
      createGap("stale", "report_stale", {
        subject: last.file,
        expected: schedule.expected,
        actual: schedule.actual,
        message: `the last passing drill of this release (${last.file}) finished ${formatDuration(ageMs(last.finishedAt, now))} ago, longer ago than the policy's drill schedule (every ${policy.drills.every})`,
        hint: "Run a fresh drill of this release from its authoritative backup, and check the job that should run drills on schedule.",
      }),
    );
}

export function answerReadiness(input: ReadinessAnswerInput): Answer {
  const facts: string[] = [];
  const gaps: Gap[] = [];
  readiness(input, facts, gaps);
  probes(input, facts, gaps);
  lastDrill(input, facts, gaps);
  return createAnswer("readiness", facts, gaps);
}
