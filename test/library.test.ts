// The library API in-process, as a program embedding recoverable calls it: failures come back
// as results, only the unanticipated rejects (as a RecoverableError), and a library call never
// takes over the host's signals. test/package.test.ts runs the packed package the same way.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  drill,
  RecoverableError,
  reportVerify,
  restore,
  seal,
  sqliteContentDigest,
  verify,
  type ProgressReporter,
} from "../src/index.js";
import { CLI } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";
import { tree } from "./helpers/tree.js";

let example: ExampleCopy;
beforeEach(() => {
  example = copyExample();
});

/** A progress reporter that records, at every stage, how many signal handlers are installed. */
function signalWatcher(): { progress: ProgressReporter; seen: string[] } {
  const seen: string[] = [];
  const progress: ProgressReporter = {
    stage(name) {
      seen.push(
        `${name}: SIGINT ${process.listenerCount("SIGINT")}, SIGTERM ${process.listenerCount("SIGTERM")}`,
      );
      return { advance: () => undefined, done: () => undefined };
    },
  };
  return { progress, seen };
}

describe("the library, when the input is bad, resolves to a result with findings and never throws", () => {
  it("verify of a store root that does not exist: not proven, artifact_missing", async () => {
    const result = await verify({ cwd: example.dir, root: "no-such-store" });
    expect(result).toMatchObject({ verdict: "not_proven", exitCode: 1 });
    expect(result).toHaveFinding("artifact_missing", example.path("no-such-store"));
  });

  it("verify with a drill config that does not exist: unusable_input, exit 2", async () => {
    const result = await verify({ cwd: example.dir, config: "nowhere/drill.json" });
    expect(result).toMatchObject({ verdict: "unusable_input", exitCode: 2 });
    expect(result).toHaveFinding("document_unreadable");
  });

  it("drill of a backup the config does not name: unusable_input naming the backup", async () => {
    const result = await drill({ cwd: example.dir, backup: "no-such-backup" });
    expect(result).toMatchObject({ verdict: "unusable_input", exitCode: 2, report: null });
    expect(result).toHaveFinding("usage_invalid", "backup");
  });

  it("seal with a release version that is not semver: unusable_input, and nothing written", async () => {
    const before = readFileSync(example.path("ops/release/packet/packet.json"), "utf8");
    const result = await seal({
      cwd: example.dir,
      releaseId: "atlas-next",
      releaseVersion: "next",
    });
    expect(result).toMatchObject({ verdict: "unusable_input", written: [] });
    expect(result).toHaveFinding("usage_invalid", "--release-version");
    expect(readFileSync(example.path("ops/release/packet/packet.json"), "utf8")).toBe(before);
  });

  it("restore from a source string it does not understand: unusable_input naming --source", async () => {
    const result = await restore({ cwd: example.dir, source: "ftp://x", target: "restored" });
    expect(result).toMatchObject({ verdict: "unusable_input", exitCode: 2 });
    expect(result).toHaveFinding("usage_invalid", "--source");
    expect(existsSync(example.path("restored"))).toBe(false);
  });

  it("reportVerify of an envelope that is not there: unusable_input", async () => {
    const result = await reportVerify({
      cwd: example.dir,
      envelope: "nowhere.dsse.json",
      key: ".recoverable/keys/drill.pub",
    });
    expect(result).toMatchObject({ verdict: "unusable_input", exitCode: 2 });
  });
});

describe("the library, called from `node --input-type=module -e`", () => {
  const library = pathToFileURL(new URL("../dist/index.js", import.meta.url).pathname).href;
  const verifyWith = (nodeFlags: readonly string[]) =>
    spawnSync(
      process.execPath,
      [
        ...nodeFlags,
        "--input-type=module",
        "-e",
        `const { verify } = await import(${JSON.stringify(library)});\n` +
          "const result = await verify();\n" +
          "console.log(result.verdict, result.findings.map((f) => f.code).join(','));",
      ],
      { cwd: example.dir, encoding: "utf8" },
    );

  it("verifies the example: its worker threads do not inherit the flag Node refuses for them", () => {
    const child = verifyWith([]);
    expect(child.stderr).toBe("");
    expect(child.stdout.trim()).toBe("proven");
  });

  // Node refuses V8 flags in a worker's own flags; they used to be copied there and every
  // verify failed with internal_error under `node --max-old-space-size=...`.
  it("verifies the example with V8 flags on node's command line too", () => {
    for (const flags of [
      ["--max-old-space-size=512"],
      ["--max-semi-space-size=1", "--no-warnings"],
    ]) {
      const child = verifyWith(flags);
      expect(child.stderr).toBe("");
      expect(child.stdout.trim()).toBe("proven");
    }
  });
});

describe("the command line, under node with V8 flags", () => {
  it("verifies the example (the pool's workers inherit the flags from Node itself)", () => {
    const cli = new URL("../dist/cli/main.js", import.meta.url).pathname;
    const child = spawnSync(
      process.execPath,
      ["--max-old-space-size=512", cli, "verify", "--json"],
      {
        cwd: example.dir,
        encoding: "utf8",
      },
    );
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toMatchObject({ verdict: "proven" });
  });
});

describe("the library, when something unanticipated breaks mid-run", () => {
  it("rejects with a RecoverableError that keeps the original error as its cause", async () => {
    const broken = new Error("the reporter broke");
    const progress: ProgressReporter = {
      stage() {
        throw broken;
      },
    };
    const error: unknown = await verify({ cwd: example.dir, progress }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RecoverableError);
    expect(error).toMatchObject({
      name: "RecoverableError",
      code: "internal_error",
      exitCode: 3,
      cause: broken,
      finding: { code: "internal_error", severity: "error", message: "the reporter broke" },
    });
  });

  it("sqliteContentDigest of a file that is not SQLite rejects with sqlite_integrity_check_failed naming it", async () => {
    const file = example.path("ops/store/catalog.json");
    await expect(sqliteContentDigest(file)).rejects.toMatchObject({
      name: "RecoverableError",
      code: "sqlite_integrity_check_failed",
      finding: { subject: file },
    });
  });

  it("sqliteContentDigest of an example dataset is the content digest its manifest records", async () => {
    const manifest = JSON.parse(
      readFileSync(example.path("ops/release/evidence/manifest.json"), "utf8"),
    ) as {
      artifacts: {
        path: string;
        sqlite?: { contentDigest: { sha256: string }; tables: unknown[] };
      }[];
    };
    const cities = manifest.artifacts.find((a) => a.path === "datasets/cities.sqlite");
    const digest = await sqliteContentDigest(example.path("ops/store/datasets/cities.sqlite"));
    expect(digest.contentDigest).toEqual(cities?.sqlite?.contentDigest);
    expect(digest.tables).toEqual(cities?.sqlite?.tables);
  });
});

describe("the library's progress reporter", () => {
  it("sees every stage of a drill start and end, nested ones inside their stage, with how each ended, and the evidence loaded before", async () => {
    const events: string[] = [];
    const progress: ProgressReporter = {
      stage(name) {
        events.push(`start ${name}`);
        return {
          advance: () => undefined,
          done: (outcome) =>
            events.push(`end ${name}${outcome === undefined ? "" : ` ${outcome}`}`),
        };
      },
    };
    const result = await drill({
      cwd: example.dir,
      source: "dir:ops/store",
      out: join(example.dir, "out"),
      progress,
    });
    expect(result.verdict).toBe("proven");
    expect(events).toEqual([
      "start load evidence",
      "end load evidence passed",
      "start check evidence",
      "end check evidence passed",
      "start check rollback policy",
      "end check rollback policy passed",
      "start restore",
      "start restore files",
      "end restore files",
      "end restore passed",
      "start verify store",
      "end verify store passed",
      "start start service",
      "end start service passed",
      "start wait for readiness",
      "end wait for readiness passed",
      "start probes",
      "end probes passed",
      "start stop service",
      "end stop service passed",
      "start teardown",
      "end teardown passed",
      "start sign report",
      "end sign report passed",
    ]);
    expect(result.stages.map((s) => s.name)).toEqual(
      events
        // The result has the drill's stages: not the evidence loaded before, nor nested ones.
        .filter(
          (e) =>
            e.startsWith("end ") && !["end load evidence passed", "end restore files"].includes(e),
        )
        .map((e) => e.slice(4).replace(/ \w+$/, "")),
    );
  });
});

describe("the library and the host's signals", () => {
  it("drill installs no SIGINT or SIGTERM handler, and is proven with a signed report", async () => {
    const { progress, seen } = signalWatcher();
    const before = `SIGINT ${process.listenerCount("SIGINT")}, SIGTERM ${process.listenerCount("SIGTERM")}`;
    const result = await drill({
      cwd: example.dir,
      source: "dir:ops/store",
      out: join(example.dir, "out"),
      progress,
    });
    expect(result.findings).toEqual([]);
    expect(result.verdict).toBe("proven");
    expect(seen.length).toBeGreaterThan(0);
    for (const line of seen) expect(line).toMatch(new RegExp(`: ${before}$`));
    expect(existsSync(example.path("out/drill-report.dsse.json"))).toBe(true);
    const checked = await reportVerify({
      cwd: example.dir,
      envelope: "out/drill-report.dsse.json",
      key: ".recoverable/keys/drill.pub",
      release: result.releaseIdentity?.sha256 ?? "",
    });
    expect(checked.verdict).toBe("proven");
  });

  it("restore installs none either, and its result holds only the counts of what it restored", async () => {
    const { progress, seen } = signalWatcher();
    const before = `SIGINT ${process.listenerCount("SIGINT")}, SIGTERM ${process.listenerCount("SIGTERM")}`;
    const result = await restore({
      cwd: example.dir,
      source: "dir:ops/store",
      target: "restored",
      progress,
    });
    expect(result.verdict).toBe("proven");
    for (const line of seen) expect(line).toMatch(new RegExp(`: ${before}$`));
    expect(Object.keys(result.restored ?? {}).sort()).toEqual(["bytes", "files"]);
    expect(result.restored?.files).toBeGreaterThan(0);
  });

  it("restore aborted through its signal while extracting: interrupted (exit code 3), the target as it was, and once the work it gave up has ended, no scratch tree and no lock", async () => {
    cpSync(example.path("ops/store"), example.path("live"), { recursive: true });
    writeFileSync(example.path("live/marker.txt"), "the old store");
    const before = tree(example.path("live"));
    const controller = new AbortController();
    const progress: ProgressReporter = {
      stage() {
        controller.abort(); // the first stage is the extraction
        return { advance: () => undefined, done: () => undefined };
      },
    };
    const listeners = `SIGINT ${process.listenerCount("SIGINT")}, SIGTERM ${process.listenerCount("SIGTERM")}`;
    const result = await restore({
      cwd: example.dir,
      source: "dir:ops/store",
      target: "live",
      force: true,
      progress,
      signal: controller.signal,
    });
    expect(result).toMatchObject({ verdict: "could_not_run", exitCode: 3, safetyCopy: null });
    expect(result).toHaveFinding("interrupted", "AbortSignal");
    expect(result.findings[0]?.message).toMatch(
      /^the restore was interrupted by its caller's AbortSignal while it extracted the backup/,
    );
    expect(
      `SIGINT ${process.listenerCount("SIGINT")}, SIGTERM ${process.listenerCount("SIGTERM")}`,
    ).toBe(listeners);
    expect(tree(example.path("live"))).toEqual(before);
    const hidden = () => readdirSync(example.dir).filter((f) => f.startsWith(".live."));
    await vi.waitFor(
      () => {
        expect(hidden()).toEqual([]);
      },
      { timeout: 20_000, interval: 50 },
    );
  });

  it("while the CLI's restore, on SIGTERM before the swap, removes its scratch tree and lock and exits 143", async () => {
    writeFileSync(example.path("marker.txt"), "the directory as it was");
    const before = readdirSync(example.dir).sort();
    const child = spawn(
      process.execPath,
      [CLI, "restore", "--source", "dir:ops/store", "--target", "restored"],
      {
        cwd: example.dir,
        env: { ...process.env, RECOVERABLE_TEST_PAUSE_AT: "after-extract" },
      },
    );
    const exited = new Promise<number | null>((resolveExit) =>
      child.once("exit", (code) => {
        resolveExit(code);
      }),
    );
    await new Promise<void>((resolvePaused) => {
      child.stderr.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("paused at after-extract")) resolvePaused();
      });
    });
    expect(readdirSync(example.dir).some((f) => f.startsWith(".restored.recoverable-"))).toBe(true);
    child.kill("SIGTERM");
    expect(await exited).toBe(143);
    expect(readdirSync(example.dir).sort()).toEqual(before);
  });
});
