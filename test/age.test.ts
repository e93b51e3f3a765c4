// age-encrypted archives, as a user restores and drills them: archives made by the real age
// CLI (1.1.1) from the bundled example's store, restored by the built CLI; each failing case
// changes one thing (the identity, one byte, the length, the flag) and names its finding.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { CLI, runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";
import { makeTempDir } from "./helpers/temp-dir.js";
import { tree } from "./helpers/tree.js";

let example: ExampleCopy;
let recipient: string;

/** `tar <flags> - .` of the example store piped through `age -r`, as an operator makes one. */
function encryptedArchive(name: string, tarFlags: string, to = recipient): string {
  execFileSync(
    "sh",
    ["-c", `tar -C ops/store ${tarFlags} - . | age -r "$1" > "$2"`, "sh", to, name],
    { cwd: example.dir },
  );
  return example.path(name);
}

function keygen(name: string): string {
  execFileSync("age-keygen", ["-o", example.path(name)], { stdio: "ignore" });
  return execFileSync("age-keygen", ["-y", example.path(name)], { encoding: "utf8" }).trim();
}

const restoreJSON = (...args: string[]): CLIRun =>
  runCLI(["restore", "--json", ...args], { cwd: example.dir });

/** A failed run: its exit code, one finding of `code`, no stack trace, nothing restored. */
function expectRefused(run: CLIRun, exit: number, code: string, target: string): void {
  expect(run.code).toBe(exit);
  expect(run.json()).toHaveFinding(code);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(existsSync(example.path(target))).toBe(false);
  expect(readdirSync(example.dir).filter((f) => f.startsWith(`.${target}.`))).toEqual([]);
}

beforeAll(() => {
  example = copyExample();
  recipient = keygen("key.txt");
  encryptedArchive("backup.tgz.age", "-czf");
});

describe("restore from an age-encrypted tar made by the age CLI", () => {
  it.each([
    ["backup.tgz.age", "-czf"],
    ["backup.tar.gz.age", "-czf"],
    ["backup.tar.age", "-cf"],
  ])("restores tar:%s with --identity, byte for byte, exit 0", (name, flags) => {
    encryptedArchive(name, flags);
    const target = `out-${name}`;
    const run = restoreJSON("--source", `tar:${name}`, "--identity", "key.txt", "--target", target);
    expect(run.code).toBe(0);
    expect(run.json().verdict).toBe("proven");
    expect(tree(example.path(target))).toEqual(tree(example.path("ops/store")));
  });

  it("drills tar:backup.tgz.age with --identity: exit 0, a signed report", () => {
    const run = runCLI(
      ["drill", "--source", "tar:backup.tgz.age", "--identity", "key.txt", "--out", "r", "--json"],
      { cwd: example.dir },
    );
    expect(run.code, run.stdout).toBe(0);
    expect(run.json().verdict).toBe("proven");
    expect(existsSync(example.path("r/drill-report.json"))).toBe(true);
    // The identity is a key: its secret never reaches the report.
    const secret = readFileSync(example.path("key.txt"), "utf8").match(/AGE-SECRET-KEY-1\w+/);
    for (const name of readdirSync(example.path("r")))
      expect(readFileSync(example.path(`r/${name}`), "utf8")).not.toContain(secret?.[0]);
  });
});

/**
 * The example store as a gzip tar encrypted by `age -p` (with `-a`, armored): age reads the
 * passphrase only from a terminal, so it is typed into the pseudo-terminal `script` gives it.
 */
function passphraseArchive(name: string, passphrase: string, armor: boolean): string {
  execFileSync("tar", ["-C", "ops/store", "-czf", "for-age.tgz", "."], { cwd: example.dir });
  const age = `age -p${armor ? " -a" : ""} -o ${name} for-age.tgz`;
  execFileSync("script", ["-qfec", age, "/dev/null"], {
    cwd: example.dir,
    input: `${passphrase}\n${passphrase}\n`,
    stdio: ["pipe", "ignore", "pipe"],
  });
  expect(readFileSync(example.path(name), "latin1")).toMatch(
    armor ? /^-----BEGIN AGE ENCRYPTED FILE-----\n/ : /^age-encryption\.org\/v1\n-> scrypt /,
  );
  return example.path(name);
}

describe("drill of a passphrase-encrypted or armored archive made by the age CLI", () => {
  const PASSPHRASE = "correct horse battery staple";
  const drill = (
    source: string,
    out: string,
    args: string[] = [],
    env: Record<string, string> = {},
  ) =>
    runCLI(["drill", "--source", `tar:${source}`, "--out", out, "--json", ...args], {
      cwd: example.dir,
      env: { RECOVERABLE_AGE_PASSPHRASE: "", ...env },
    });

  it("is proven for `age -p` with the passphrase in RECOVERABLE_AGE_PASSPHRASE, and the passphrase is in no report", () => {
    passphraseArchive("pass.tgz.age", PASSPHRASE, false);
    const run = drill("pass.tgz.age", "rp", [], { RECOVERABLE_AGE_PASSPHRASE: PASSPHRASE });
    expect(run.code, run.stdout).toBe(0);
    expect(run.json().verdict).toBe("proven");
    for (const name of readdirSync(example.path("rp")))
      expect(readFileSync(example.path(`rp/${name}`), "utf8")).not.toContain(PASSPHRASE);
  }, 120_000);

  it("is proven for `age -p -a` (armored), and for `age -a -r` with --identity", () => {
    passphraseArchive("pass-armored.tgz.age", PASSPHRASE, true);
    const armoredPass = drill("pass-armored.tgz.age", "rpa", [], {
      RECOVERABLE_AGE_PASSPHRASE: PASSPHRASE,
    });
    expect(armoredPass.code, armoredPass.stdout).toBe(0);
    execFileSync(
      "sh",
      ["-c", 'tar -C ops/store -czf - . | age -a -r "$1" > armored.tgz.age', "sh", recipient],
      {
        cwd: example.dir,
      },
    );
    const armored = drill("armored.tgz.age", "ra", ["--identity", "key.txt"]);
    expect(armored.code, armored.stdout).toBe(0);
    expect(armored.json().verdict).toBe("proven");
  }, 120_000);

  it("without the passphrase is usage_invalid (exit 2) saying to set RECOVERABLE_AGE_PASSPHRASE; a wrong one is source_credentials_refused (exit 2)", () => {
    if (!existsSync(example.path("pass.tgz.age")))
      passphraseArchive("pass.tgz.age", PASSPHRASE, false);
    const none = drill("pass.tgz.age", "rn");
    expect(none.code).toBe(2);
    expect(none.json()).toHaveFinding("usage_invalid", "--identity");
    expect(none.json().findings[0]?.message).toMatch(/or set RECOVERABLE_AGE_PASSPHRASE/);
    const wrongPass = runCLI(
      ["restore", "--json", "--source", "tar:pass.tgz.age", "--target", "tw"],
      {
        cwd: example.dir,
        env: { RECOVERABLE_AGE_PASSPHRASE: "not it" },
      },
    );
    expectRefused(wrongPass, 2, "source_credentials_refused", "tw");
    expect(wrongPass.json().findings[0]?.message).toMatch(
      /does not decrypt with the passphrase in RECOVERABLE_AGE_PASSPHRASE/,
    );
    const keyOnly = restoreJSON(
      "--source",
      "tar:pass.tgz.age",
      "--identity",
      "key.txt",
      "--target",
      "tw",
    );
    expectRefused(keyOnly, 2, "source_credentials_refused", "tw");
    expect(keyOnly.json().findings[0]?.message).toMatch(
      /encrypted with a passphrase \(age -p\): set RECOVERABLE_AGE_PASSPHRASE/,
    );
  }, 120_000);
});

describe("an age-encrypted tar that cannot be restored", () => {
  it("gives source_credentials_refused (exit 2) for an archive encrypted to another recipient", () => {
    encryptedArchive("theirs.tgz.age", "-czf", keygen("their-key.txt"));
    const run = restoreJSON(
      "--source",
      "tar:theirs.tgz.age",
      "--identity",
      "key.txt",
      "--target",
      "t1",
    );
    expectRefused(run, 2, "source_credentials_refused", "t1");
    expect(run.json().findings[0]?.message).toMatch(/not encrypted to any identity/);
  });

  it("gives usage_invalid (exit 2) naming --identity when it is not passed, to restore and drill", () => {
    const run = restoreJSON("--source", "tar:backup.tgz.age", "--target", "t2");
    expectRefused(run, 2, "usage_invalid", "t2");
    expect(run.json()).toHaveFinding("usage_invalid", "--identity");
    expect(run.json().findings[0]?.message).toMatch(/pass --identity/);
    const drill = runCLI(["drill", "--source", "tar:backup.tgz.age", "--out", "r2", "--json"], {
      cwd: example.dir,
    });
    expect(drill.code).toBe(2);
    expect(drill.json()).toHaveFinding("usage_invalid", "--identity");
  });

  it.each([
    ["truncated", (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length / 2))],
    ["cut by its last 10 bytes", (bytes: Buffer) => bytes.subarray(0, bytes.length - 10)],
    [
      "one byte flipped in the encrypted body",
      (bytes: Buffer) => {
        const copy = Buffer.from(bytes);
        const at = Math.floor(copy.length * 0.75);
        copy[at] = (copy[at] ?? 0) ^ 0x80;
        return copy;
      },
    ],
  ])("gives source_unreadable (exit 1) when %s, nothing left in the target", (name, damage) => {
    const file = `damaged-${name.replace(/\W+/g, "-")}.tgz.age`;
    writeFileSync(example.path(file), damage(readFileSync(example.path("backup.tgz.age"))));
    const target = `t3-${name.replace(/\W+/g, "-")}`;
    const run = restoreJSON("--source", `tar:${file}`, "--identity", "key.txt", "--target", target);
    expectRefused(run, 1, "source_unreadable", target);
    expect(run.json().findings[0]?.message).toMatch(/fails authentication/);
  });

  it("gives source_unreadable (exit 1) for a .age file that is not an age file", () => {
    execFileSync("tar", ["-C", "ops/store", "-czf", "plain.tgz.age", "."], { cwd: example.dir });
    const run = restoreJSON(
      "--source",
      "tar:plain.tgz.age",
      "--identity",
      "key.txt",
      "--target",
      "t4",
    );
    expectRefused(run, 1, "source_unreadable", "t4");
    expect(run.json().findings[0]?.message).toMatch(/not an age file/);
  });

  it("gives exit 2 naming the identity file when it is missing or holds no identity", () => {
    const missing = restoreJSON(
      "--source",
      "tar:backup.tgz.age",
      "--identity",
      "no-such-key.txt",
      "--target",
      "t5",
    );
    expectRefused(missing, 2, "usage_invalid", "t5");
    expect(missing.json().findings[0]?.message).toMatch(/no-such-key\.txt.*cannot be read/);
    writeFileSync(example.path("recipient.txt"), `${recipient}\n`);
    const wrongFile = restoreJSON(
      "--source",
      "tar:backup.tgz.age",
      "--identity",
      "recipient.txt",
      "--target",
      "t5",
    );
    expectRefused(wrongFile, 2, "usage_invalid", "t5");
    expect(wrongFile.json().findings[0]?.message).toMatch(/recipient\.txt: line 1/);
  });

  it("prints a human sentence, not a stack trace, without --json", () => {
    encryptedArchive("theirs2.tgz.age", "-czf", keygen("their-key-2.txt"));
    const run = runCLI(
      ["restore", "--source", "tar:theirs2.tgz.age", "--identity", "key.txt", "--target", "t6"],
      { cwd: example.dir },
    );
    expect(run.code).toBe(2);
    expect(run.stderr + run.stdout).toMatch(/source_credentials_refused/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("decrypting a large archive", () => {
  // A child process decrypts ~200 MB through decryptStream into a counting sink and samples
  // its own RSS: streaming keeps growth flat; a library that buffered the file would not.
  const MEASURE = `
    import { createReadStream } from "node:fs";
    import { Writable } from "node:stream";
    import { pipeline } from "node:stream/promises";
    const { decryptStream } = await import(process.argv[1]);
    const { readIdentities } = await import(process.argv[1].replace(/age\\.js$/, "age-keys.js"));
    const identities = await readIdentities(process.argv[2]);
    const rss = () => process.memoryUsage().rss;
    const base = rss();
    let peak = base;
    const sampler = setInterval(() => { peak = Math.max(peak, rss()); }, 5);
    let bytes = 0;
    const sink = new Writable({ write(chunk, _encoding, done) { bytes += chunk.length; peak = Math.max(peak, rss()); done(); } });
    await pipeline(decryptStream(createReadStream(process.argv[3]), identities), sink);
    clearInterval(sampler);
    process.stdout.write(JSON.stringify({ bytes, growth: peak - base }));
  `;

  it("grows RSS by less than 64 MiB for a ~200 MB archive", () => {
    const dir = makeTempDir("recoverable-age-large-");
    const archive = join(dir, "large.age");
    const size = 200 * 1024 * 1024;
    execFileSync("sh", [
      "-c",
      `head -c ${size} /dev/urandom | age -r "$1" > "$2"`,
      "sh",
      recipient,
      archive,
    ]);
    const module = new URL("../archive/age.js", pathToFileURL(CLI)).href;
    const child = spawnSync(
      process.execPath,
      ["--input-type=module", "-e", MEASURE, module, example.path("key.txt"), archive],
      { encoding: "utf8", timeout: 20_000 },
    );
    rmSync(archive);
    expect(child.status, child.stderr).toBe(0);
    const { bytes, growth } = JSON.parse(child.stdout) as { bytes: number; growth: number };
    expect(bytes).toBe(size);
    expect(growth).toBeLessThan(64 * 1024 * 1024);
  }, 30_000);
});
