// The engine of test/docs-outputs.test.ts: which blocks are marked, what each command is
// quoted as printing, what is masked (and what is not), and that a rewrite changes only the
// blocks' bodies.
import { describe, expect, it } from "vitest";
import {
  identifiersIn,
  markedBlocks,
  normalize,
  renderBlock,
  rewritePage,
  stepsOf,
  type Block,
} from "../helpers/doc-outputs.js";

const PAGE = [
  "# A page",
  "",
  "<!-- output -->",
  "",
  "    $ cp -r ops/store /tmp/s",
  "    $ recoverable snapshot --repo /tmp/r",
  "    ✔ PROVEN  recoverable snapshot",
  "      snapshot 20261126T031152Z-3b92276a in /tmp/r: 8 files, 646263 bytes",
  "",
  "      validated",
  "",
  "Prose.",
  "",
  "<!-- output: recoverable verify --json",
  "setup: cp -r ops/store /tmp/x",
  "env: RESTIC_PASSWORD=p",
  "cwd: /tmp/x",
  "mask: \\d+ bytes",
  "-->",
  "",
  "```json",
  '{ "verb": "verify" }',
  "```",
  "",
  "    $ recoverable gate",
  "    unmarked",
].join("\n");

describe("markedBlocks and stepsOf", () => {
  const blocks = markedBlocks(PAGE, "page.md");

  it("find the marked blocks only, an indented one across its blank lines, with their options", () => {
    expect(blocks.map((b) => [b.where, b.fenced, b.run])).toEqual([
      ["page.md:3", false, null],
      ["page.md:14", true, "recoverable verify --json"],
    ]);
    expect(blocks[1]).toMatchObject({
      setup: ["cp -r ops/store /tmp/x"],
      env: { RESTIC_PASSWORD: "p" },
      cwd: "/tmp/x",
      stderr: false,
    });
  });

  it("split a transcript into commands and the output quoted for each; a command with none is not compared", () => {
    expect(stepsOf(blocks[0] as Block)).toEqual([
      { command: "cp -r ops/store /tmp/s", expected: "", quoted: false },
      {
        command: "recoverable snapshot --repo /tmp/r",
        expected:
          "✔ PROVEN  recoverable snapshot\n  snapshot 20261126T031152Z-3b92276a in /tmp/r: 8 files, 646263 bytes\n\n  validated",
        quoted: true,
      },
    ]);
  });

  it("refuse a marker that is followed by no block", () => {
    expect(() => markedBlocks("<!-- output -->\n\nprose\n", "p.md")).toThrow(/p\.md:1/);
  });
});

describe("normalize", () => {
  const quoted =
    "snapshot 20261126T031152Z-3b92276a taken 2026-11-26T03:11:52.734Z (3m 12s ago), RTO 2.3s (target 900s), key 0d2622e20aee…: 8 files";

  it("masks what varies between runs: ids, times, measured durations and ages, key ids", () => {
    const now =
      "snapshot 20261207T095341Z-5ef770a6 taken 2026-12-07T09:53:41.506Z (5s ago), RTO 14.4s (target 900s), key 87f2c94e99f7…: 8 files";
    expect(normalize(now, [])).toBe(normalize(quoted, []));
  });

  it("keeps what must not change: counts, sizes, targets", () => {
    expect(normalize(quoted.replace("8 files", "9 files"), [])).not.toBe(normalize(quoted, []));
    expect(normalize(quoted.replace("900s", "600s"), [])).not.toBe(normalize(quoted, []));
  });

  it("masks a block's own pattern too", () => {
    expect(normalize("wrote 25185 bytes", [/\d+ bytes/g])).toBe(
      normalize("wrote 24716 bytes", [/\d+ bytes/g]),
    );
  });

  it("finds the ids a later command may name, once each, in order", () => {
    expect(
      identifiersIn("a 20261126T031152Z-3b92276a b 20261126T030547Z a 20261126T031152Z-3b92276a"),
    ).toEqual(["20261126T031152Z-3b92276a", "20261126T030547Z"]);
  });
});

describe("renderBlock and rewritePage", () => {
  it("replace the bodies of the marked blocks and nothing else", () => {
    const blocks = markedBlocks(PAGE, "page.md");
    const rendered = new Map(
      blocks.map((b) => [
        b,
        renderBlock(
          b,
          stepsOf(b).map((s) => ({ ...s, expected: s.quoted ? "NEW" : "" })),
        ),
      ]),
    );
    const page = rewritePage(PAGE, rendered);
    expect(page).toContain(
      "    $ cp -r ops/store /tmp/s\n    $ recoverable snapshot --repo /tmp/r\n    NEW\n\nProse.",
    );
    expect(page).toContain("```json\nNEW\n```");
    expect(page).toContain("    $ recoverable gate\n    unmarked");
    expect(markedBlocks(page, "page.md")).toHaveLength(2);
  });
});
