// The pure and file-level parts of an interruption: the exit code it gives, the report files
// written all or none, the reaper's notes read and forgotten, and the reaper process itself.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { forgetReapedNotes, readReapedNotes } from "../../src/drill/reaped-notes.js";
import { createFinding } from "../../src/findings/finding.js";
import { interruptedFinding } from "../../src/findings/interrupted.js";
import { exitCodeOfRun, verdictOf } from "../../src/findings/verdict.js";
import { writeAllOrNone } from "../../src/util/write-all-or-none.js";
import { makeTempDir } from "../helpers/temp-dir.js";

describe("exitCodeOfRun", () => {
  const exitOf = (findings: Parameters<typeof verdictOf>[0]) =>
    exitCodeOfRun(verdictOf(findings), findings);

  it("is 130 after SIGINT and 143 after SIGTERM, with the verdict could_not_run", () => {
    const sigint = [interruptedFinding("SIGINT", "interrupted")];
    expect(verdictOf(sigint)).toBe("could_not_run");
    expect(exitOf(sigint)).toBe(130);
    expect(exitOf([interruptedFinding("SIGTERM", "interrupted")])).toBe(143);
  });

  it("is 143 even when a check had failed first, whose verdict (not_proven) it keeps", () => {
    const findings = [
      createFinding("probe_failed", { subject: "ready", message: "no" }),
      interruptedFinding("SIGTERM", "interrupted"),
    ];
    expect(verdictOf(findings)).toBe("not_proven");
    expect(exitOf(findings)).toBe(143);
  });

  it("is 3 for a library call aborted by its caller, which no signal ended", () => {
    const findings = [interruptedFinding("aborted", "interrupted")];
    expect(findings[0]?.subject).toBe("AbortSignal");
    expect(exitOf(findings)).toBe(3);
  });
});

describe("writeAllOrNone", () => {
  it("puts every file in place and leaves no temp file", async () => {
    const dir = makeTempDir();
    const files = ["a.json", "b.md", "sub/c.xml"].map((name) => ({
      path: join(dir, name),
      data: name,
    }));
    expect(await writeAllOrNone(files, new AbortController().signal)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["a.json", "b.md", "sub"]);
    expect(readFileSync(join(dir, "sub/c.xml"), "utf8")).toBe("sub/c.xml");
  });

  it("interrupted, changes nothing: an old file keeps its content and no new one appears", async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, "a.json"), "old");
    const controller = new AbortController();
    const files = [
      { path: join(dir, "a.json"), data: "new" },
      { path: join(dir, "b.md"), data: "new" },
    ];
    // Aborted while the first file is being written: the step that puts them in place never runs.
    const writing = writeAllOrNone(files, controller.signal);
    controller.abort();
    expect(await writing).toBe(false);
    expect(readdirSync(dir)).toEqual(["a.json"]);
    expect(readFileSync(join(dir, "a.json"), "utf8")).toBe("old");
  });
});

describe("the reaper's notes", () => {
  it("become one leftovers_reaped warning each, oldest first, and go only when forgotten", async () => {
    const state = makeTempDir();
    const notes = join(state, "reaped");
    mkdirSync(notes);
    const note = (run: string) => ({ run, reapedAt: "2026-12-07T08:10:07.380Z", leftovers: ["x"] });
    writeFileSync(join(notes, "2.json"), JSON.stringify(note("second")));
    writeFileSync(join(notes, "1.json"), JSON.stringify(note("first")));
    writeFileSync(join(notes, ".3.json.tmp"), "half");
    writeFileSync(join(notes, "4.json"), JSON.stringify({ not: "a note" }));
    const read = await readReapedNotes(state);
    expect(read.findings.map((f) => [f.code, f.severity, f.subject])).toEqual([
      ["leftovers_reaped", "warning", "first"],
      ["leftovers_reaped", "warning", "second"],
    ]);
    expect(readdirSync(notes)).toHaveLength(4);
    await forgetReapedNotes(read.files);
    expect(readdirSync(notes).sort()).toEqual([".3.json.tmp", "4.json"]);
  });

  it("are none when there is no state directory yet", async () => {
    expect(await readReapedNotes(join(makeTempDir(), "nowhere"))).toEqual({
      findings: [],
      files: [],
    });
  });
});

describe("the reaper process", () => {
  const REAPER = fileURLToPath(new URL("../../dist/util/reaper-main.js", import.meta.url));

  it("when its pipe closes, stops what is still registered, removes its directories, and writes a note", async () => {
    const dir = makeTempDir();
    mkdirSync(join(dir, "scratch"));
    const sleeper = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
    const sleeperEnded = new Promise((resolveEnd) => {
      sleeper.once("exit", (_code, signal) => {
        resolveEnd(signal);
      });
    });
    const forgotten = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
    const reaper = spawn(process.execPath, [REAPER], {
      stdio: ["pipe", "ignore", "ignore"],
    });
    const send = (message: object) => reaper.stdin.write(`${JSON.stringify(message)}\n`);
    const group = (id: number, pid: number | undefined) =>
      send({
        op: "watch",
        id,
        leftover: { kind: "group", pid, label: "sleep", signal: "SIGTERM", graceMs: 1000 },
      });
    group(1, sleeper.pid);
    group(2, forgotten.pid);
    send({
      op: "watch",
      id: 3,
      leftover: { kind: "directory", path: join(dir, "scratch"), label: "scratch" },
    });
    send({ op: "note", id: 4, dir: join(dir, "notes"), run: "a test run" });
    send({ op: "forget", id: 2 });
    const exited = new Promise((resolve) => reaper.once("exit", resolve));
    reaper.stdin.end();
    await exited;
    expect(await sleeperEnded).toBe("SIGTERM");
    // Forgotten (its owner stopped it, as far as the reaper knows): left alone.
    expect(() => process.kill(forgotten.pid ?? 0, 0)).not.toThrow();
    forgotten.kill("SIGKILL");
    expect(existsSync(join(dir, "scratch"))).toBe(false);
    const [name] = readdirSync(join(dir, "notes"));
    const written = JSON.parse(readFileSync(join(dir, "notes", name ?? ""), "utf8")) as {
      run: string;
      leftovers: string[];
    };
    expect(written.run).toBe("a test run");
    expect(written.leftovers).toEqual([
      `sleep (process group ${String(sleeper.pid)}): stopped with SIGTERM`,
      `scratch ${join(dir, "scratch")}: removed`,
    ]);
  });
});
