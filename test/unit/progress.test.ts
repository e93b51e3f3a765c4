// src/cli/progress.ts: when progress shows (DESIGN.md "--no-progress"), what a CI log gets
// (one line per stage that counted files), and what a terminal gets (a bar with files, bytes,
// rate and ETA where totals are known, a spinner where not, for every stage).
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress, formatBytes, progressMode, stageLine } from "../../src/cli/progress.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function capture(isTTY: boolean) {
  const stream = new PassThrough() as PassThrough & {
    isTTY?: boolean;
    columns?: number;
    cursorTo?: (x: number) => boolean;
    clearLine?: (dir: number) => boolean;
    moveCursor?: (dx: number, dy: number) => boolean;
  };
  if (isTTY) {
    stream.isTTY = true;
    stream.columns = 160;
    stream.cursorTo = () => true;
    stream.clearLine = () => true;
    stream.moveCursor = () => true;
  }
  const chunks: string[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
  return { stream, text: () => chunks.join("") };
}

describe("progressMode", () => {
  it("is off with --no-progress, bars on a TTY outside CI, else lines unless --json", () => {
    expect(progressMode({ progress: false }, { isTTY: true }, {})).toBe("off");
    expect(progressMode({}, { isTTY: true }, {})).toBe("bars");
    expect(progressMode({ json: true }, { isTTY: true }, {})).toBe("bars");
    expect(progressMode({}, { isTTY: true }, { CI: "true" })).toBe("lines");
    expect(progressMode({}, { isTTY: false }, {})).toBe("lines");
    expect(progressMode({ json: true }, { isTTY: false }, {})).toBe("off");
    expect(progressMode({ json: true }, { isTTY: true }, { CI: "1" })).toBe("off");
  });
});

describe("createProgress", () => {
  it("writes one line per finished stage in lines mode", async () => {
    const { stream, text } = capture(false);
    const progress = createProgress("lines", stream);
    const stage = progress.stage("check store", { files: 3, bytes: 3 * 1024 * 1024 });
    stage.advance(2, 2 * 1024 * 1024);
    expect(text()).toBe("");
    stage.advance(1, 1024 * 1024);
    stage.done();
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toMatch(/^check store: 3 files, 3\.0 MiB in \d+\.\d s/);
    expect(text().split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("says nothing in lines mode of a stage that counted nothing (the summary lists it)", () => {
    const { stream, text } = capture(false);
    const progress = createProgress("lines", stream);
    progress.stage("wait for readiness").done("passed");
    progress.stage("probes").done("failed");
    const restore = progress.stage("restore files");
    restore.advance(2, 2048);
    restore.done();
    expect(text()).toMatch(/^restore files: 2 files, 2\.0 KiB in \d+\.\d s/);
    expect(text().split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("draws a bar with files, bytes, rate and ETA on a terminal", async () => {
    const { stream, text } = capture(true);
    const progress = createProgress("bars", stream);
    const stage = progress.stage("restore files", { files: 10, bytes: 10 * 1024 });
    stage.advance(4, 4 * 1024);
    stage.done();
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toContain("restore files");
    expect(text()).toContain("4/10 files");
    expect(text()).toContain("4.0 KiB of 10.0 KiB");
    expect(text()).toContain("ETA");
  });

  it("spins for a stage without totals, gives the live line to a nested bar, then spins again", async () => {
    const { stream, text } = capture(true);
    const progress = createProgress("bars", stream);
    const restore = progress.stage("restore");
    await sleep(250);
    expect(text()).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] restore 0\.\d s/);
    const files = progress.stage("restore files", { files: 2, bytes: 2048 });
    files.advance(2, 2048);
    await sleep(150);
    files.done();
    // The finished bar stays on its own line; "restore" spins below it at once.
    const afterBar = text().slice(text().lastIndexOf("restore files"));
    const [bar, spinner] = afterBar.split("\n\r\u001b[K");
    expect(bar).toMatch(/^restore files █{40} 100% \| 2\/2 files \| 2\.0 KiB of 2\.0 KiB /);
    expect(spinner).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] restore /);
    restore.done("passed");
    // Nothing left of the spinner, and the cursor is back.
    expect(text().endsWith("\r\u001b[K\u001b[?25h")).toBe(true);
    const written = text().length;
    await sleep(150);
    expect(text().length).toBe(written);
  });

  it("leaves no line for a stage that ended before it was drawn", async () => {
    const { stream, text } = capture(true);
    const progress = createProgress("bars", stream);
    progress.stage("check evidence").done("passed");
    progress.stage("start service").done("skipped");
    await sleep(150);
    expect(text()).toBe("");
  });

  it("prints nothing when off", () => {
    const { stream, text } = capture(true);
    createProgress("off", stream).stage("x", {}).done();
    expect(text()).toBe("");
  });

  it("formats sizes and stage lines", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(2 * 1024 ** 3)).toBe("2.0 GiB");
    expect(stageLine("check store", 19363, 2 * 1024 ** 3, 2)).toBe(
      "check store: 19363 files, 2.0 GiB in 2.0 s (1.0 GiB/s)",
    );
  });
});
