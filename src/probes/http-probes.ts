// The probes that ask the service over HTTP: http, identity and catalog. They reach only the
// hosts the drill config allows, and read at most a megabyte of an answer.
import { request } from "undici";
import type { Probe } from "../documents/types.js";
import { parseDuration } from "../util/duration.js";
import { redactHeaders } from "../service/redact.js";
import type { FindingCode } from "../findings/catalogue.js";
import { checkHTTPExpectations, type Unmet } from "./expectations.js";
import { lookupPointer } from "./json-pointer.js";
import {
  DEFAULT_TIMEOUT_MS,
  describeHTTPExpect,
  describeProbe,
  outcome,
  type NoAnswer,
  type Outcome,
  type ProbeContext,
} from "./probe-check.js";

const BODY_LIMIT = 1024 * 1024;

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

export function httpProbe(probe: Probe, context: ProbeContext): Promise<Outcome> {
  return httpLike(probe, context, (status, body) => ({
    unmet: checkHTTPExpectations(probe.expect, status, body),
    code: "probe_failed",
    expected: describeHTTPExpect(probe),
  }));
}

export function identityProbe(
  probe: Probe,
  context: ProbeContext,
  expected: string,
): Promise<Outcome> {
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

export function catalogProbe(probe: Probe, context: ProbeContext): Promise<Outcome> {
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
