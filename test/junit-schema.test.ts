// The JUnit XML of a drill, as a CI server reads it: valid against the JUnit schema Jenkins and
// Surefire use (test/fixtures/junit/junit-10.xsd, checked by xmllint from Debian's
// libxml2-utils), the same test cases whether the drill proved the release or not, a failure
// that says what was found (its type the finding code), and the service's output beside the
// stage it explains.
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { XMLParser } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";
import type { DrillReport } from "../src/documents/drill-report.js";

const XSD = fileURLToPath(new URL("fixtures/junit/junit-10.xsd", import.meta.url));
const HAVE_XMLLINT = spawnSync("xmllint", ["--version"]).status === 0;
if (!HAVE_XMLLINT)
  console.warn(
    "junit-schema.test.ts: SKIPPED, xmllint is missing (apt-get install libxml2-utils; .ci/run installs it)",
  );

type Outcome = { type?: string; message?: string; "#text"?: string } | "";
type TestCase = {
  classname: string;
  name: string;
  time?: string;
  failure?: Outcome;
  error?: Outcome;
  skipped?: Outcome;
  "system-out"?: string;
};
type Suite = {
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
  testcase: TestCase[];
  "system-out"?: string;
};

function validate(file: string): { valid: boolean; output: string } {
  const run = spawnSync("xmllint", ["--noout", "--schema", XSD, file], { encoding: "utf8" });
  return { valid: run.status === 0, output: run.stderr };
}

function readSuite(file: string): Suite {
  const xml = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    isArray: (name) => name === "testcase",
  }).parse(readFileSync(file, "utf8")) as { testsuites: { testsuite: Suite } };
  return xml.testsuites.testsuite;
}

function drill(example: ExampleCopy, source: string, out: string): DrillReport {
  const run = runCLI(["drill", "--json", "--source", source, "--out", out], { cwd: example.dir });
  expect([0, 1], run.stdout + run.stderr).toContain(run.code);
  return JSON.parse(readFileSync(example.path(`${out}/drill-report.json`), "utf8")) as DrillReport;
}

const byName = (suite: Suite, classname: string, name: string): TestCase => {
  const found = suite.testcase.find((c) => c.classname === classname && c.name === name);
  if (found === undefined) throw new Error(`no testcase ${classname} ${name}`);
  return found;
};

describe.skipIf(!HAVE_XMLLINT)("the JUnit XML of a drill", () => {
  let example: ExampleCopy;
  let proven: DrillReport;
  let broken: DrillReport;
  beforeAll(() => {
    example = copyExample();
    proven = drill(example, "dir:ops/store", "proven");
    // A backup in which one byte of a dataset changed: the restore refuses it.
    const copy = example.path("bad-store");
    cpSync(example.path("ops/store"), copy, { recursive: true });
    const file = `${copy}/datasets/cities.sqlite`;
    const bytes = readFileSync(file);
    bytes[5000] = (bytes[5000] ?? 0) ^ 0xff;
    writeFileSync(file, bytes);
    const tar = spawnSync("tar", ["-C", copy, "-czf", example.path("bad.tgz"), "."]);
    expect(tar.status).toBe(0);
    broken = drill(example, "tar:bad.tgz", "broken");
  }, 240_000);

  it("is valid against the JUnit schema, proven or not, and lists the same test cases", () => {
    expect(proven.verdict).toBe("proven");
    expect(broken.verdict).toBe("not_proven");
    for (const out of ["proven", "broken"]) {
      const result = validate(example.path(`${out}/drill-report.junit.xml`));
      expect(result.valid, result.output).toBe(true);
    }
    const good = readSuite(example.path("proven/drill-report.junit.xml"));
    const bad = readSuite(example.path("broken/drill-report.junit.xml"));
    const names = (suite: Suite) => suite.testcase.map((c) => `${c.classname} ${c.name}`);
    expect(names(bad)).toEqual(names(good));
    // A test case per stage and per check, every probe among them.
    expect(good.testcase).toHaveLength(proven.stages.length + proven.checks.length);
    expect(Number(good.tests)).toBe(good.testcase.length);
    expect(Number(bad.tests)).toBe(good.testcase.length);
    expect(broken.checks.filter((c) => c.kind === "probe")).toHaveLength(10);
    expect([good.failures, good.errors, good.skipped]).toEqual(["0", "0", "0"]);
  });

  it("says what was found where the restore failed, and skips what it stopped", () => {
    const bad = readSuite(example.path("broken/drill-report.junit.xml"));
    const cities = byName(bad, "recoverable.store", "datasets/cities.sqlite");
    const failure = cities.failure as Exclude<Outcome, "">;
    expect(failure.type).toBe("artifact_hash_mismatch");
    // The digest found, not only the code: "expected sqlite, … sha256 e9b7…, got ed85…".
    const found = broken.findings.find((f) => f.code === "artifact_hash_mismatch");
    expect(found?.actual).toMatch(/^[0-9a-f]{64}$/);
    expect(failure.message).toContain(`got ${found?.actual ?? ""}`);
    expect(failure["#text"]).toContain("What to do: Restore this file from a backup");
    const restore = byName(bad, "recoverable.stage", "restore");
    expect(restore.failure).toBeDefined();
    expect(restore.time).toMatch(/^\d+\.\d{3}$/);
    for (const probe of broken.checks.filter((c) => c.kind === "probe")) {
      const skipped = byName(bad, "recoverable.probe", probe.name).skipped as Exclude<Outcome, "">;
      expect(skipped.message).toBe('not run: the stage "restore" failed');
    }
    expect(byName(bad, "recoverable.stage", "probes").skipped).toBeDefined();
    expect(Number(bad.failures)).toBe(2); // the restore stage and the dataset
    expect(Number(bad.skipped)).toBe(bad.testcase.filter((c) => c.skipped !== undefined).length);
  });

  it("gives every stage and every probe its time, and the service's output to the suite", () => {
    const good = readSuite(example.path("proven/drill-report.junit.xml"));
    for (const c of good.testcase.filter((t) =>
      ["recoverable.stage", "recoverable.probe"].includes(t.classname),
    ))
      expect(c.time, c.name).toMatch(/^\d+\.\d{3}$/);
    expect(good["system-out"]).toContain("atlas-service: loaded 3 datasets");
  });
});

describe.skipIf(!HAVE_XMLLINT)("the JUnit XML of a drill whose service never gets ready", () => {
  it("fails the readiness stage with the service's output beside it, and stays valid", () => {
    const example = copyExample();
    example.editDrillConfig((config) => {
      const service = config["service"] as Record<string, unknown>;
      service["command"] = [
        "node",
        "-e",
        "console.log('cannot open the datasets'); process.exit(4)",
      ];
    });
    const report = drill(example, "dir:ops/store", "out");
    expect(report.verdict).toBe("not_proven");
    const file = example.path("out/drill-report.junit.xml");
    const result = validate(file);
    expect(result.valid, result.output).toBe(true);
    const wait = byName(readSuite(file), "recoverable.stage", "wait for readiness");
    const failure = wait.failure as Exclude<Outcome, "">;
    expect(failure.type).toBe("service_not_ready");
    expect(failure["#text"]).toContain("What to do: Read the service output");
    expect(wait["system-out"]).toContain("cannot open the datasets");
  }, 120_000);
});
