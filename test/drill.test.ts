// drill, as a user runs it: the bundled example copied to a temp dir, the real example
// service (or a small real stand-in where the service must misbehave), real HTTP on
// 127.0.0.1, real Ed25519 keys; each failing case changes one thing.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, createPublicKey, verify as verifySignature } from "node:crypto";
import {
  appendFileSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import Database from "better-sqlite3";
import { XMLParser } from "fast-xml-parser";
import { beforeEach, describe, expect, it } from "vitest";
import { CLI, runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";

const SECRET = "demo-token-not-a-secret";
const SCHEMAS = new URL("../schemas/", import.meta.url);

let example: ExampleCopy;
beforeEach(() => {
  example = copyExample();
});

const drill = (args: string[], env: Record<string, string> = {}): CLIRun =>
  runCLI(["drill", "--json", "--out", "out", ...args], { cwd: example.dir, env });

type Report = {
  verdict: string;
  releaseId: string;
  releaseIdentity: { sha256: string };
  stages: { name: string; status: string; durationMs: number }[];
  checks: { name: string; kind: string; status: string; expected: string; actual: string }[];
  findings: { code: string; subject: string }[];
  rto: { status: string; seenSeconds: number | null };
  rpo: { status: string; seenSeconds: number | null };
  service: { log: string; exit: string | null } | null;
};

const readReport = (): Report =>
  JSON.parse(readFileSync(example.path("out/drill-report.json"), "utf8")) as Report;

/** DSSE verification written from the spec, sharing no code with src/report. */
function openEnvelope(envelopePath: string, publicKeyPath: string): Record<string, unknown> {
  const envelope = JSON.parse(readFileSync(envelopePath, "utf8")) as {
    payloadType: string;
    payload: string;
    signatures: { keyid: string; sig: string }[];
  };
  const payload = Buffer.from(envelope.payload, "base64");
  const type = Buffer.from(envelope.payloadType);
  const pae = Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
  const publicKey = createPublicKey(readFileSync(publicKeyPath, "utf8"));
  const [signature] = envelope.signatures;
  expect(signature).toBeDefined();
  expect(verifySignature(null, pae, publicKey, Buffer.from(signature?.sig ?? "", "base64"))).toBe(
    true,
  );
  const spki = publicKey.export({ type: "spki", format: "der" });
  expect(signature?.keyid).toBe(createHash("sha256").update(spki).digest("hex"));
  expect(envelope.payloadType).toBe("application/vnd.in-toto+json");
  return JSON.parse(payload.toString("utf8")) as Record<string, unknown>;
}

function everyOutput(): string {
  return readdirSync(example.path("out"))
    .map((name) => readFileSync(example.path(`out/${name}`), "utf8"))
    .join("\n");
}

function findingCodes(run: CLIRun): string[] {
  return run.json().findings.map((f) => f.code);
}

describe("drill of the bundled example", () => {
  it("restores, starts the service, probes it, and signs a proven report anyone can verify", () => {
    const summary = example.path("step-summary.md");
    writeFileSync(summary, "# earlier step\n");
    const run = drill(["--source", "dir:ops/store"], { GITHUB_STEP_SUMMARY: summary });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const result = run.json();
    expect(result).toMatchObject({ verb: "drill", verdict: "proven", exitCode: 0 });
    expect(result["report"]).toEqual({
      json: "out/drill-report.json",
      envelope: "out/drill-report.dsse.json",
      markdown: "out/drill-report.md",
      junit: "out/drill-report.junit.xml",
      html: "out/drill-report.html",
    });
    const report = readReport();
    expect(report.stages.map((s) => [s.name, s.status])).toEqual([
      ["check evidence", "passed"],
      ["check rollback policy", "passed"],
      ["restore", "passed"],
      ["verify store", "passed"],
      ["start service", "passed"],
      ["wait for readiness", "passed"],
      ["probes", "passed"],
      ["stop service", "passed"],
      ["teardown", "passed"],
    ]);
    // The result adds the signing, which the report it signs cannot time.
    const stages = result["stages"] as { name: string; status: string }[];
    expect(stages.map((s) => s.name)).toEqual([...report.stages.map((s) => s.name), "sign report"]);
    expect(stages.at(-1)?.status).toBe("passed");
    expect(report.rto.status).toBe("passed");
    expect(report.rpo.status).toBe("passed");
    const probes = report.checks.filter((c) => c.kind === "probe");
    expect(probes.map((c) => c.name)).toContain("release-identity");
    expect(probes.every((c) => c.status === "passed")).toBe(true);
    expect(report.service?.log).toContain("atlas-service: loaded 3 datasets");

    // The report matches its schema.
    const ajv = new Ajv2020.default({ strict: true, allErrors: true });
    addFormats.default(ajv);
    const schema = JSON.parse(
      readFileSync(new URL("drill-report.schema.json", SCHEMAS), "utf8"),
    ) as object;
    const validate = ajv.compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);

    // The envelope verifies independently and carries the report as its predicate.
    const statement = openEnvelope(
      example.path("out/drill-report.dsse.json"),
      example.path(".recoverable/keys/drill.pub"),
    );
    expect(statement).toMatchObject({
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ name: `release:${report.releaseId}`, digest: report.releaseIdentity }],
      predicateType: "https://recoverable.dev/drill-report/v1",
    });
    expect(statement["predicate"]).toEqual(report);
    const verified = runCLI(
      [
        "report",
        "verify",
        "out/drill-report.dsse.json",
        "--key",
        ".recoverable/keys/drill.pub",
        "--release",
        report.releaseIdentity.sha256,
        "--max-age",
        "1h",
      ],
      { cwd: example.dir },
    );
    expect(verified.code).toBe(0);

    // JUnit XML that a real parser reads: one testcase per stage and per check, none failed.
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(
      readFileSync(example.path("out/drill-report.junit.xml"), "utf8"),
    ) as { testsuites: { testsuite: { tests: string; failures: string; testcase: unknown[] } } };
    const cases = report.stages.length + report.checks.length;
    expect(junit.testsuites.testsuite.testcase).toHaveLength(cases);
    expect(Number(junit.testsuites.testsuite.tests)).toBe(cases);
    expect(Number(junit.testsuites.testsuite.failures)).toBe(0);

    // Markdown, appended to the CI job summary after what was there.
    const markdown = readFileSync(example.path("out/drill-report.md"), "utf8");
    expect(markdown).toContain("proven");
    expect(readFileSync(summary, "utf8")).toBe(`# earlier step\n${markdown}\n`);

    // The probe's Authorization value reaches no output, no log, no stdout.
    expect(everyOutput()).not.toContain(SECRET);
    expect(run.stdout).not.toContain(SECRET);
    expect(everyOutput()).toContain("[redacted]");

    // The scratch place is gone.
    expect(result["scratchKept"]).toBeNull();
  });

  it("exits 1 with a signed not_proven report when one durable byte of the backup changed", () => {
    cpSync(example.path("ops/store"), example.path("backup"), { recursive: true });
    const file = example.path("backup/datasets/airports.sqlite");
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0x01;
    writeFileSync(file, bytes);
    const run = drill(["--source", "dir:backup"]);
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("artifact_hash_mismatch", "datasets/airports.sqlite");
    const statement = openEnvelope(
      example.path("out/drill-report.dsse.json"),
      example.path(".recoverable/keys/drill.pub"),
    );
    const predicate = statement["predicate"] as Report;
    expect(predicate.verdict).toBe("not_proven");
    expect(predicate.findings.map((f) => f.code)).toContain("artifact_hash_mismatch");
    expect(predicate.stages.find((s) => s.name === "restore")?.status).toBe("failed");
    expect(predicate.stages.find((s) => s.name === "start service")?.status).toBe("skipped");
    expect(predicate.rto.status).toBe("skipped");
  });

  it("restores from a gzip tar and measures RPO from the archive's time", () => {
    const tgz = example.path("backup.tgz");
    const tar = spawnSync("tar", ["-C", example.path("ops/store"), "-czf", tgz, "."]);
    expect(tar.status).toBe(0);
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(tgz, twoDaysAgo, twoDaysAgo);
    const run = drill(["--source", "tar:backup.tgz"]);
    expect(run.code).toBe(1);
    expect(findingCodes(run)).toEqual(["rpo_exceeded"]);
    const rpo = run.json()["rpo"] as { seenSeconds: number; targetSeconds: number };
    expect(rpo.targetSeconds).toBe(86_400);
    expect(rpo.seenSeconds).toBeGreaterThanOrEqual(2 * 86_400);
    expect(rpo.seenSeconds).toBeLessThan(2 * 86_400 + 600);
  });

  it("keeps the restored scratch store with --keep, under --scratch", () => {
    const run = drill(["--source", "dir:ops/store", "--scratch", "scratch", "--keep"]);
    expect(run.code).toBe(0);
    const kept = run.json()["scratchKept"] as string;
    expect(kept).toMatch(/recoverable-drill-/);
    expect(existsSync(join(kept, "store", "catalog.json"))).toBe(true);
  });

  it("removes its scratch directory under --scratch without --keep", () => {
    const run = drill(["--source", "dir:ops/store", "--scratch", "scratch"]);
    expect(run.code).toBe(0);
    expect(readdirSync(example.path("scratch"))).toEqual([]);
  });
});

/** A stand-in service, one line of node, for the ways a real one misbehaves. */
const standIn = (script: string) => ({
  command: ["node", "-e", script],
  cwd: ".",
  env: {},
  readiness: { path: "/readyz", timeout: "2s" },
  stopGrace: "2s",
});

/** Gone, or a zombie waiting to be reaped (in a container, PID 1 may never reap it). */
const processGone = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z") ?? false;
  } catch {
    return true;
  }
};

describe("drill when the service misbehaves", () => {
  it("ends with exit 1 and service_not_ready within the readiness limit when it never gets ready", () => {
    example.editDrillConfig((config) => {
      config["service"] = standIn(
        "console.log('pid ' + process.pid);" +
          "require('http').createServer((q, s) => { s.writeHead(503); s.end('loading'); })" +
          ".listen(Number(process.env.PORT), '127.0.0.1')",
      );
    });
    const run = drill(["--source", "dir:ops/store"]);
    expect(run.code).toBe(1);
    expect(findingCodes(run)).toEqual(["service_not_ready"]);
    expect(run.json().findings[0]?.actual).toMatch(/not ready after 2s \(\/readyz answered 503\)/);
    const report = readReport();
    const wait = report.stages.find((s) => s.name === "wait for readiness");
    expect(wait?.status).toBe("failed");
    expect(wait?.durationMs).toBeGreaterThanOrEqual(2000);
    expect(wait?.durationMs).toBeLessThan(4000);
    expect(report.stages.find((s) => s.name === "probes")?.status).toBe("skipped");
    expect(report.stages.find((s) => s.name === "stop service")?.status).toBe("passed");
    // It was stopped: the process is gone.
    const pid = Number(/pid (\d+)/.exec(report.service?.log ?? "")?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(processGone(pid)).toBe(true);
    expect(existsSync(example.path("out/drill-report.dsse.json"))).toBe(true);
  });

  it("says service_not_ready at once, with its output, when the service exits", () => {
    example.editDrillConfig((config) => {
      config["service"] = {
        ...standIn("console.error('cannot open the store'); process.exit(3)"),
        readiness: { path: "/readyz", timeout: "30s" },
      };
    });
    const run = drill(["--source", "dir:ops/store"]);
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("service_not_ready");
    expect(run.json().findings[0]?.actual).toMatch(/exited \(code 3\)/);
    const report = readReport();
    expect(report.service?.log).toContain("cannot open the store");
    expect(report.service?.exit).toBe("code 3");
    const wait = report.stages.find((s) => s.name === "wait for readiness");
    expect(wait?.durationMs).toBeLessThan(10_000);
  });

  it("exits 3 with service_failed_to_start when the command does not exist, and still signs", () => {
    example.editDrillConfig((config) => {
      config["service"] = { ...standIn(""), command: ["recoverable-no-such-service", "--port"] };
    });
    const run = drill(["--source", "dir:ops/store"]);
    expect(run.code).toBe(3);
    expect(run.json()).toHaveFinding("service_failed_to_start");
    expect(run.json().findings[0]?.message).toContain("recoverable-no-such-service: ENOENT");
    const statement = openEnvelope(
      example.path("out/drill-report.dsse.json"),
      example.path(".recoverable/keys/drill.pub"),
    );
    expect((statement["predicate"] as Report).verdict).toBe("could_not_run");
  });

  it("kills a service that ignores SIGTERM once the stop grace period is over", () => {
    example.editDrillConfig((config) => {
      config["service"] = {
        ...standIn(
          "process.on('SIGTERM', () => console.log('ignoring SIGTERM'));" +
            "require('http').createServer((q, s) => s.end('{}'))" +
            ".listen(Number(process.env.PORT), '127.0.0.1')",
        ),
        stopGrace: "1s",
      };
    });
    drill(["--source", "dir:ops/store"]);
    const report = readReport();
    const stop = report.stages.find((s) => s.name === "stop service");
    expect(stop?.status).toBe("passed");
    expect(stop?.durationMs).toBeGreaterThanOrEqual(1000);
    expect(stop?.durationMs).toBeLessThan(4000);
    expect(report.service?.exit).toBe("SIGKILL");
    expect(report.service?.log).toContain("ignoring SIGTERM");
  });

  it("kills what is left of the service's process group, so a child ignoring SIGTERM cannot hang it", () => {
    example.editDrillConfig((config) => {
      config["service"] = {
        ...standIn(
          // The child ignores SIGTERM; the service listens only once the child says so.
          "const { spawn } = require('child_process');" +
            "const c = spawn(process.execPath, ['-e', \"process.on('SIGTERM', () => {}); console.log('armed'); setInterval(() => {}, 1000)\"], { stdio: ['ignore', 'pipe', 'inherit'] });" +
            "c.stdout.once('data', () => { console.log('child ' + c.pid);" +
            " require('http').createServer((q, s) => s.end('{}')).listen(Number(process.env.PORT), '127.0.0.1'); });",
        ),
        stopGrace: "1s",
      };
    });
    const started = Date.now();
    drill(["--source", "dir:ops/store"]);
    expect(Date.now() - started).toBeLessThan(15_000);
    const report = readReport();
    const pid = Number(/child (\d+)/.exec(report.service?.log ?? "")?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(processGone(pid)).toBe(true);
  });

  it("redacts the Authorization value from a service that logs the headers it gets", () => {
    example.editDrillConfig((config) => {
      config["service"] = standIn(
        "require('http').createServer((q, s) => {" +
          " console.log(q.url + ' ' + JSON.stringify(q.headers)); s.end('{}'); })" +
          ".listen(Number(process.env.PORT), '127.0.0.1')",
      );
    });
    const run = drill(["--source", "dir:ops/store"]);
    expect(run.code).toBe(1); // the stand-in answers {} to everything: probes fail
    const report = readReport();
    expect(report.service?.log).toContain('"authorization":"[redacted]"');
    const probe = report.checks.find((c) => c.name === "cities-count") as unknown as {
      request: { headers: Record<string, string> };
    };
    expect(probe.request.headers).toEqual({ Authorization: "[redacted]" });
    expect(everyOutput()).not.toContain(SECRET);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it("gives release_identity_mismatch when the service serves another release", () => {
    const packet = JSON.parse(
      readFileSync(example.path("ops/release/packet/packet.json"), "utf8"),
    ) as { release: { id: string } };
    packet.release.id = "atlas-2026.10.9";
    writeFileSync(example.path("old-packet.json"), JSON.stringify(packet));
    example.editDrillConfig((config) => {
      const service = config["service"] as { env: Record<string, string> };
      service.env["RECOVERABLE_PACKET"] = "old-packet.json";
    });
    const run = drill(["--source", "dir:ops/store"]);
    expect(run.code).toBe(1);
    expect(findingCodes(run)).toEqual(["release_identity_mismatch"]);
    expect(run.json()).toHaveFinding("release_identity_mismatch", "probe:release-identity");
  });

  it("gives catalog_incomplete when the service's catalog lacks a dataset", () => {
    example.editDrillConfig((config) => {
      const service = config["service"] as { env: Record<string, string> };
      service.env["ATLAS_DATASETS"] = "cities,airports";
    });
    const run = drill(["--source", "dir:ops/store"]);
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("catalog_incomplete", "probe:catalog");
    const catalog = run.json().findings.find((f) => f.code === "catalog_incomplete");
    expect(catalog?.actual).toBe("dataset weather-normals missing");
    // A service that loaded less than the release cannot claim to serve it.
    expect(run.json()).toHaveFinding("release_identity_mismatch");
  });

  it("gives probe_failed when a query answers wrong, because the data is wrong", () => {
    // One city fewer, sealed as a release: the evidence is consistent, the answer is not.
    const db = new Database(example.path("ops/store/datasets/cities.sqlite"));
    db.prepare("DELETE FROM cities WHERE id = (SELECT max(id) FROM cities)").run();
    db.close();
    const catalogPath = example.path("ops/store/catalog.json");
    writeFileSync(
      catalogPath,
      readFileSync(catalogPath, "utf8").replace('"rows": 3000', '"rows": 2999'),
    );
    example.seal("atlas-2026.11.2", "2026.11.2");
    const run = drill(["--source", "dir:ops/store"]);
    expect(run.code).toBe(1);
    expect(findingCodes(run)).toEqual(["probe_failed"]);
    expect(run.json().findings[0]).toMatchObject({
      subject: "probe:cities-count",
      expected: "/count = 3000",
      actual: "/count = 2999",
    });
    expect(everyOutput()).not.toContain(SECRET);
  });
});

/** Starts the example service on its own, as it runs in production, on a free port. */
async function startExampleService(store: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [example.path("ops/service/atlas-service.mjs")], {
    cwd: example.dir,
    env: {
      ...process.env,
      RECOVERABLE_STORE: store,
      RECOVERABLE_PACKET: example.path("ops/release/packet/packet.json"),
      PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolveURL, reject) => {
    let seen = "";
    child.stdout.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(seen)?.[1];
      if (port !== undefined && seen.includes("loaded")) resolveURL(`http://127.0.0.1:${port}`);
    });
    child.once("exit", (code) => {
      reject(new Error(`the example service exited (${String(code)})`));
    });
  });
  return { child, url };
}

describe("drill --live", () => {
  it("proves a store and a service that are already up, restoring and starting nothing", async () => {
    const { child, url } = await startExampleService(example.path("ops/store"));
    try {
      const run = drill(["--live", "--root", "ops/store", "--url", url]);
      expect(run.code).toBe(0);
      const stages = Object.fromEntries(readReport().stages.map((s) => [s.name, s.status]));
      expect(stages).toMatchObject({
        restore: "skipped",
        "verify store": "passed",
        "start service": "skipped",
        probes: "passed",
        "stop service": "skipped",
      });
      expect(readReport().rpo.status).toBe("skipped");
      expect(child.exitCode).toBeNull(); // the drill did not stop a service it did not start
    } finally {
      child.kill();
    }
  });

  it("finds a changed byte in the live store and reaches only allowed hosts", async () => {
    const { child, url } = await startExampleService(example.path("ops/store"));
    try {
      appendFileSync(example.path("ops/store/config/runtime.json"), " ");
      const other = url.replace("127.0.0.1", "127.0.0.2");
      const run = drill(["--live", "--root", "ops/store", "--url", other]);
      expect(run.code).toBe(1);
      expect(run.json()).toHaveFinding("artifact_size_mismatch", "config/runtime.json");
      // Verification failed first: the probes were skipped, not sent anywhere.
      expect(readReport().stages.find((s) => s.name === "probes")?.status).toBe("skipped");
    } finally {
      child.kill();
    }
  });

  it("refuses a probe to a host the drill config does not allow", async () => {
    const { child, url } = await startExampleService(example.path("ops/store"));
    try {
      const run = drill([
        "--live",
        "--root",
        "ops/store",
        "--url",
        url.replace("127.0.0.1", "127.0.0.2"),
      ]);
      expect(run.code).toBe(1);
      const refused = run.json().findings.filter((f) => f.code === "probe_failed");
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]?.actual).toBe("host 127.0.0.2 is not in probeHosts of the drill config");
    } finally {
      child.kill();
    }
  });
});

describe("drill input and interruption", () => {
  it.each([
    [["--live", "--root", "ops/store"], "--live"],
    [["--source", "nfs:/backups"], "--source"],
  ])("refuses %j with exit 2 before doing anything", (args, subject) => {
    const run = drill(args);
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("usage_invalid", subject);
    expect(existsSync(example.path("out"))).toBe(false);
  });

  it("says source_unreadable for a dir: source that does not exist, signs, and leaves no scratch", () => {
    const run = drill(["--source", "dir:no-such-backup", "--scratch", "scratch"]);
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("source_unreadable");
    const report = readReport();
    expect(
      report.checks.filter((c) => c.kind === "store").every((c) => c.status === "skipped"),
    ).toBe(true);
    expect(existsSync(example.path("out/drill-report.dsse.json"))).toBe(true);
    expect(readdirSync(example.path("scratch"))).toEqual([]);
  });

  it("refuses a missing signing key with exit 2 and says how to make one", () => {
    const run = drill(["--source", "dir:ops/store", "--key", "nowhere/drill.key"]);
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("document_unreadable", "nowhere/drill.key");
    expect(run.json().findings[0]?.hint).toContain("recoverable keygen");
  });

  it("stops the service and removes the scratch place on SIGINT", async () => {
    example.editDrillConfig((config) => {
      config["service"] = {
        ...standIn(
          "require('fs').writeFileSync('service.pid', String(process.pid));" +
            "require('http').createServer((q, s) => { s.writeHead(503); s.end(); })" +
            ".listen(Number(process.env.PORT), '127.0.0.1')",
        ),
        readiness: { path: "/readyz", timeout: "60s" },
      };
    });
    const child = spawn(
      process.execPath,
      [CLI, "drill", "--source", "dir:ops/store", "--scratch", "scratch", "--out", "out"],
      { cwd: example.dir, stdio: "ignore" },
    );
    const exited = new Promise<number | null>((resolveExit) =>
      child.once("exit", (code) => {
        resolveExit(code);
      }),
    );
    const deadline = Date.now() + 20_000;
    while (!existsSync(example.path("service.pid")) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const pid = Number(readFileSync(example.path("service.pid"), "utf8"));
    expect(readdirSync(example.path("scratch"))).toHaveLength(1);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    const gone = Date.now() + 5000;
    while (!processGone(pid) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
    expect(processGone(pid)).toBe(true);
    expect(readdirSync(example.path("scratch"))).toEqual([]);
  });
});
