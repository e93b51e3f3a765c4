// A finding's hint fits its cause, not only its code (src/findings/catalogue.ts "causes"): a
// dead service is not a dataset to check, and six probes it did not answer are one finding; an
// OpenSSH key is not a JSON document; a file that is not there has no line and column.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";
import { copyExample } from "./helpers/example-copy.js";
import { makeTempDir } from "./helpers/temp-dir.js";

/** A port on 127.0.0.1 that nothing listens on: taken from the OS, then let go. */
function deadPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === "object" && address !== null ? address.port : 0);
      });
    });
  });
}

/** An OpenSSH Ed25519 key pair, as `ssh-keygen` makes it. */
function sshKey(): { key: string; pub: string } {
  const key = `${makeTempDir("recoverable-ssh-")}/id_ed25519`;
  const made = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
  expect(made.status).toBe(0);
  return { key, pub: `${key}.pub` };
}

const HAVE_SSH_KEYGEN = spawnSync("ssh-keygen", ["-?"]).error === undefined;

describe("a live drill whose service is not there", () => {
  it("gives one probe_failed naming the service for the probes it refused, with a hint about the service", async () => {
    const example = copyExample();
    const url = `http://127.0.0.1:${await deadPort()}`;
    const run = runCLI(
      ["drill", "--json", "--live", "--root", "ops/store", "--url", url, "--out", "out"],
      { cwd: example.dir },
    );
    expect(run.code).toBe(1);
    const failed = run.json().findings.filter((f) => f.code === "probe_failed");
    // The six HTTP probes (ready, release-identity, catalog and three datasets): one finding.
    expect(failed).toHaveLength(1);
    const [refused] = failed;
    expect(refused?.subject).toBe(url);
    expect(refused?.message).toMatch(
      new RegExp(
        `^${url} did not answer 6 probes \\(ready, release-identity, catalog, .*\\): .*ECONNREFUSED`,
      ),
    );
    expect(refused?.hint).not.toContain("dataset");
    expect(refused?.hint).toContain("check that the service runs and listens there");
    // Each probe's check still fails on its own.
    const report = JSON.parse(readFileSync(example.path("out/drill-report.json"), "utf8")) as {
      checks: { kind: string; status: string; actual: string }[];
    };
    const refusedChecks = report.checks.filter(
      (c) => c.kind === "probe" && c.status === "failed" && c.actual.includes("ECONNREFUSED"),
    );
    expect(refusedChecks).toHaveLength(6);
  }, 120_000);
});

describe.skipIf(!HAVE_SSH_KEYGEN)("an OpenSSH key where a recoverable key is wanted", () => {
  it("report verify --key id_ed25519.pub: document_invalid about the key's format, no JSON pointer", () => {
    const { pub } = sshKey();
    const run = runCLI(["report", "verify", "--json", "nothing.dsse.json", "--key", pub]);
    expect(run.code).toBe(2);
    const finding = run.json().findings.find((f) => f.subject === pub);
    expect(finding).toMatchObject({ code: "document_invalid", actual: "an OpenSSH key" });
    expect(finding?.hint).not.toMatch(/JSON pointer/i);
    expect(finding?.hint).toContain("OpenSSH key (ssh-ed25519 AAAA...)");
    expect(finding?.hint).toContain("drill.pub");
  });

  it("drill --key id_ed25519: document_invalid about the signing key's format", () => {
    const example = copyExample();
    const { key } = sshKey();
    const run = runCLI(["drill", "--json", "--source", "dir:ops/store", "--key", key], {
      cwd: example.dir,
    });
    expect(run.code).toBe(2);
    const finding = run.json().findings.find((f) => f.subject === key);
    expect(finding?.code).toBe("document_invalid");
    expect(finding?.hint).not.toMatch(/JSON pointer/i);
    expect(finding?.hint).toContain("recoverable keygen --out <dir>");
  });
});

describe("a file that is not there", () => {
  it("-C of a missing drill config: document_unreadable whose hint is about the path, not a line and column", () => {
    const run = runCLI(["verify", "--json", "-C", "no/such/drill.json"], {
      cwd: makeTempDir(),
    });
    expect(run.code).toBe(2);
    const [finding] = run.json().findings;
    expect(finding).toMatchObject({ code: "document_unreadable", actual: "absent" });
    expect(finding?.hint).not.toMatch(/line|column/);
    expect(finding?.hint).toContain("Check the path named: nothing is there");
  });

  it("--key of a missing public key: the same", () => {
    const run = runCLI([
      "report",
      "verify",
      "--json",
      "nothing.dsse.json",
      "--key",
      "/no/such/drill.pub",
    ]);
    expect(run.code).toBe(2);
    const finding = run.json().findings.find((f) => f.subject === "/no/such/drill.pub");
    expect(finding).toMatchObject({ code: "document_unreadable", actual: "absent" });
    expect(finding?.hint).not.toMatch(/line|column/);
  });

  it("a document that is not JSON still gets the line and column", () => {
    const dir = makeTempDir();
    spawnSync("sh", ["-c", `mkdir -p ${dir}/ops && printf '{"a": }' > ${dir}/ops/drill.json`]);
    const run = runCLI(["verify", "--json"], { cwd: dir });
    expect(run.code).toBe(2);
    const [finding] = run.json().findings;
    expect(finding?.code).toBe("document_unreadable");
    expect(finding?.message).toMatch(/:1:\d+: /);
    expect(finding?.hint).toContain("at the line and column named");
  });
});
