// tar: sources within fixed bounds whatever the file holds: gzip bombs built at test time
// (a 1 GiB member, a 500 MiB one in place of a sealed file, a 1 GiB pax header) keep restore
// and drill under 256 MiB of memory, measured by /usr/bin/time; a file that is not a tar gives
// one finding saying what it is; a problem met many times is listed a few times and counted.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { CLI, runCLI, type CLIRun, type JSONResult } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";
import { membersOf, rawTar, writeGzipTar, type RawMember } from "./helpers/raw-tar.js";

const MiB = 1024 * 1024;
const TIME = "/usr/bin/time";
const BOUND_KIB = 256 * 1024;

let example: ExampleCopy;
/** The example store's members, without catalog.json (a bomb replaces it in one archive). */
let storeMembers: RawMember[];

beforeAll(() => {
  example = copyExample();
  storeMembers = membersOf(example.path("ops/store"));
});

/** The contract every case keeps: one JSON object, its exitCode the real one, no stack trace. */
function expectExit(run: CLIRun, code: number): JSONResult {
  expect(run.code, run.stdout + run.stderr).toBe(code);
  const result = run.json();
  expect(result.exitCode).toBe(code);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return result;
}

const errors = (result: JSONResult) =>
  result.findings.filter((f) => f.severity === "error").map((f) => `${f.code} ${f.subject}`);

/** Runs the CLI under GNU time: its result, and its peak resident set in KiB. */
function measured(args: readonly string[]): { run: CLIRun; peakKiB: number } {
  const child = spawnSync(TIME, ["-v", process.execPath, CLI, ...args], {
    cwd: example.dir,
    env: { ...process.env, NO_COLOR: "1" },
    encoding: "utf8",
  });
  const peak = /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr);
  expect(peak, child.stderr).not.toBeNull();
  return {
    run: {
      code: child.status,
      stdout: child.stdout,
      stderr: child.stderr.replace(/\tCommand being timed[\s\S]*$/, ""),
      json: () => JSON.parse(child.stdout) as JSONResult,
    },
    peakKiB: Number(peak?.[1]),
  };
}

const BOMBS = [
  {
    name: "a 1 GiB member the release does not list",
    file: "bomb-1g.tgz",
    members: () => [...storeMembers, { path: "extra/bomb.bin", size: 1024 * MiB }],
    // Restored (a stray is a warning), streamed to disk a chunk at a time.
    restore: { exit: 0, errors: [] },
  },
  {
    name: "a 500 MiB member in place of a sealed 2 KiB file",
    file: "bomb-500m.tgz",
    members: () => [
      ...storeMembers.filter((m) => m.path !== "catalog.json"),
      { path: "catalog.json", size: 500 * MiB },
    ],
    restore: { exit: 1, errors: ["artifact_size_mismatch catalog.json"] },
  },
  {
    name: "a 1 GiB pax header",
    file: "bomb-pax.tgz",
    members: () => [
      { path: "PaxHeader/catalog.json", type: "ExtendedHeader" as const, size: 1024 * MiB },
      ...storeMembers,
    ],
    restore: { exit: 1, errors: ["archive_entry_refused tar:bomb-pax.tgz"] },
  },
];

describe.skipIf(!existsSync(TIME))("restore and drill of a gzip bomb", () => {
  describe.each(BOMBS)("$name", (bomb) => {
    beforeAll(async () => {
      await writeGzipTar(example.path(bomb.file), bomb.members());
      expect(statSync(example.path(bomb.file)).size).toBeLessThan(8 * MiB);
    }, 120_000);

    it("restore stays under 256 MiB, with the exit code and finding the archive earns", () => {
      const target = `restored-${bomb.file}`;
      const { run, peakKiB } = measured([
        "restore",
        "--json",
        "--source",
        `tar:${bomb.file}`,
        "--target",
        target,
      ]);
      const result = expectExit(run, bomb.restore.exit);
      expect(errors(result)).toEqual(bomb.restore.errors);
      expect(peakKiB).toBeLessThan(BOUND_KIB);
      expect(existsSync(example.path(target))).toBe(bomb.restore.exit === 0);
      expect(readdirSync(example.dir).filter((f) => f.startsWith(`.${target}.`))).toEqual([]);
    }, 180_000);

    it("drill stays under 256 MiB, and is not proven unless the restore was", () => {
      const out = `out-${bomb.file}`;
      const { run, peakKiB } = measured([
        "drill",
        "--json",
        "--out",
        out,
        "--source",
        `tar:${bomb.file}`,
      ]);
      const result = expectExit(run, bomb.restore.exit);
      expect(errors(result)).toEqual(bomb.restore.errors);
      expect(peakKiB).toBeLessThan(BOUND_KIB);
    }, 180_000);
  });
});

describe("a tar: source that is not a tar archive", () => {
  const restore = (file: string, ...extra: string[]) =>
    runCLI(["restore", "--json", "--source", `tar:${file}`, "--target", "never", ...extra], {
      cwd: example.dir,
    });

  function oneFinding(run: CLIRun, exit: number, code: string, message: RegExp): void {
    const result = expectExit(run, exit);
    const problems = result.findings.filter((f) => f.severity !== "info");
    expect(problems.map((f) => f.code)).toEqual([code]);
    expect(problems[0]?.message).toMatch(message);
    expect(existsSync(example.path("never"))).toBe(false);
  }

  it("gives one source_unreadable for 300 KB of random bytes", () => {
    writeFileSync(example.path("random.tar"), randomBytes(300_000));
    oneFinding(restore("random.tar"), 1, "source_unreadable", /random\.tar: is unrecognised data/);
  });

  it("says an age file named .tgz is age-encrypted (exit 2 without --identity) and reads it with one", () => {
    execFileSync("age-keygen", ["-o", example.path("key.txt")], { stdio: "ignore" });
    const recipient = execFileSync("age-keygen", ["-y", example.path("key.txt")], {
      encoding: "utf8",
    }).trim();
    execFileSync(
      "sh",
      ["-c", 'tar -C ops/store -czf - . | age -r "$1" > backup.tgz', "sh", recipient],
      { cwd: example.dir },
    );
    oneFinding(restore("backup.tgz"), 2, "usage_invalid", /backup\.tgz is age-encrypted/);
    const run = runCLI(
      ["restore", "--json", "--source", "tar:backup.tgz", "--identity", "key.txt", "--target", "r"],
      { cwd: example.dir },
    );
    expect(errors(expectExit(run, 0))).toEqual([]);
  });

  it.each([
    ["a zstd archive", "store.tar.zst", ["--zstd"], /is a zstd-compressed file, not a tar/],
    ["an xz archive", "store.tar.xz", ["--xz"], /is an xz-compressed file, not a tar/],
    ["a bzip2 archive", "store.tar.bz2", ["--bzip2"], /is a bzip2-compressed file, not a tar/],
  ])("names %s by its magic bytes, whatever its name", (_name, made, flags, message) => {
    execFileSync("tar", ["-C", "ops/store", ...flags, "-cf", made, "."], { cwd: example.dir });
    execFileSync("cp", [made, `${made}.tgz`], { cwd: example.dir });
    oneFinding(restore(`${made}.tgz`), 1, "source_unreadable", message);
  });

  it("says what a gzip file holds when it is not a tar", () => {
    execFileSync("sh", ["-c", "head -c 300000 /dev/urandom | gzip > random.tgz"], {
      cwd: example.dir,
    });
    oneFinding(
      restore("random.tgz"),
      1,
      "source_unreadable",
      /holds unrecognised data .* inside its gzip compression, not a tar archive/,
    );
  });

  it("says an empty file is empty", () => {
    writeFileSync(example.path("empty.tar"), "");
    oneFinding(restore("empty.tar"), 1, "source_unreadable", /is empty \(0 bytes\)/);
  });
});

describe("a problem met many times in one source", () => {
  it("is listed 10 times, then counted in one more finding", () => {
    const fifos = Array.from({ length: 25 }, (_, i) => ({
      path: `pipe-${String(i).padStart(2, "0")}`,
      type: "FIFO" as const,
    }));
    mkdirSync(example.path("many"), { recursive: true });
    writeFileSync(example.path("many/fifos.tar"), rawTar(fifos));
    const run = runCLI(
      ["restore", "--json", "--source", "tar:many/fifos.tar", "--target", "never2"],
      { cwd: example.dir },
    );
    const refused = expectExit(run, 1).findings.filter((f) => f.code === "archive_entry_refused");
    expect(refused).toHaveLength(11);
    expect(refused.slice(0, 10).map((f) => f.subject)).toEqual(
      fifos.slice(0, 10).map((f) => f.path),
    );
    expect(refused[10]?.subject).toBe("tar:many/fifos.tar");
    expect(refused[10]?.message).toMatch(/and 15 more archive_entry_refused findings/);
    expect(refused[10]?.severity).toBe("error");
  });
});
