// Secrets without files (`env:NAME`, as cosign takes them): the signing key and the age identity
// come from an environment variable, so a CI or Kubernetes secret never has to touch a disk.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";

let example: ExampleCopy;
let signingKey: string;
let keyId: string;

beforeAll(() => {
  example = copyExample();
  signingKey = readFileSync(example.path(".recoverable/keys/drill.key"), "utf8");
  const keygen = runCLI(["keygen", "--json", "--out", "other-keys"], { cwd: example.dir });
  keyId = String(keygen.json()["keyId"]);
});

/** The report files under `dir`, which must never hold a secret. */
const reportTexts = (dir: string) =>
  readdirSync(example.path(dir)).map((name) =>
    readFileSync(example.path(`${dir}/${name}`), "utf8"),
  );

describe("--key env:NAME", () => {
  it("signs the drill report with the key in the variable: proven, signed by that key, which report verify accepts", () => {
    const otherKey = readFileSync(example.path("other-keys/drill.key"), "utf8");
    const run = runCLI(
      [
        "drill",
        "--source",
        "dir:ops/store",
        "--key",
        "env:RECOVERABLE_SIGNING_KEY",
        "--out",
        "r1",
        "--json",
      ],
      { cwd: example.dir, env: { RECOVERABLE_SIGNING_KEY: otherKey } },
    );
    expect(run.code, run.stdout).toBe(0);
    const check = runCLI(
      ["report", "verify", "r1/drill-report.dsse.json", "--key", "other-keys/drill.pub", "--json"],
      { cwd: example.dir },
    );
    expect(check.code, check.stdout).toBe(0);
    expect(check.json()["keyId"]).toBe(keyId);
    for (const text of reportTexts("r1")) expect(text).not.toContain(otherKey.split("\n")[1]);
  });

  it("works for signing.key in the drill config and for verify --shard", () => {
    example.editDrillConfig((config) => {
      config["signing"] = { key: "env:ATLAS_DRILL_KEY" };
    });
    const run = runCLI(["verify", "--shard", "1/2", "--out", "s1", "--json"], {
      cwd: example.dir,
      env: { ATLAS_DRILL_KEY: signingKey },
    });
    example.editDrillConfig((config) => {
      config["signing"] = { key: ".recoverable/keys/drill.key" };
    });
    expect(run.code, run.stdout).toBe(0);
    expect(readdirSync(example.path("s1"))).toContain("shard-1-of-2.dsse.json");
  });

  it.each([
    [
      "is not set",
      {},
      "usage_invalid",
      /the signing key env:ABSENT_KEY: the environment variable ABSENT_KEY is not set or empty/,
    ],
    ["is empty", { ABSENT_KEY: "" }, "usage_invalid", /is not set or empty/],
    [
      "holds a public key",
      { ABSENT_KEY: "PUBLIC" },
      "document_invalid",
      /does not hold an Ed25519 private key/,
    ],
  ])(
    "gives exit 2 naming the variable when it %s, before any work",
    (_name, env, code, message) => {
      const pub = readFileSync(example.path(".recoverable/keys/drill.pub"), "utf8");
      const values = Object.fromEntries(
        Object.entries(env).map(([k, v]) => [k, v === "PUBLIC" ? pub : v]),
      );
      const run = runCLI(
        ["drill", "--source", "dir:ops/store", "--key", "env:ABSENT_KEY", "--out", "r2", "--json"],
        { cwd: example.dir, env: values },
      );
      expect(run.code).toBe(2);
      expect(run.json()).toHaveFinding(code, "env:ABSENT_KEY");
      expect(run.json().findings.find((f) => f.code === code)?.message).toMatch(message);
      expect(run.stdout).not.toContain(pub.split("\n")[1]);
    },
  );
});

describe("--identity env:NAME", () => {
  it("decrypts an .age archive with the identity in the variable: the drill is proven, the key in no report", () => {
    execFileSync("age-keygen", ["-o", example.path("age-key.txt")], { stdio: "ignore" });
    const recipient = execFileSync("age-keygen", ["-y", example.path("age-key.txt")], {
      encoding: "utf8",
    }).trim();
    execFileSync(
      "sh",
      ["-c", 'tar -C ops/store -czf - . | age -r "$1" > backup.tgz.age', "sh", recipient],
      {
        cwd: example.dir,
      },
    );
    const identity = readFileSync(example.path("age-key.txt"), "utf8");
    const run = runCLI(
      [
        "drill",
        "--source",
        "tar:backup.tgz.age",
        "--identity",
        "env:AGE_IDENTITY",
        "--out",
        "r3",
        "--json",
      ],
      { cwd: example.dir, env: { AGE_IDENTITY: identity } },
    );
    expect(run.code, run.stdout).toBe(0);
    const secret = /AGE-SECRET-KEY-1\w+/.exec(identity)?.[0] ?? "";
    for (const text of reportTexts("r3")) expect(text).not.toContain(secret);
    const unset = runCLI(
      [
        "restore",
        "--source",
        "tar:backup.tgz.age",
        "--identity",
        "env:AGE_IDENTITY",
        "--target",
        "t",
        "--json",
      ],
      { cwd: example.dir },
    );
    expect(unset.code).toBe(2);
    expect(unset.json()).toHaveFinding("usage_invalid", "env:AGE_IDENTITY");
  });
});
