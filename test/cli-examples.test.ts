// Every example of every --help runs, as written, on a copy of the bundled example: through
// bash, with `recoverable` on PATH, in the order a reader would meet them (a snapshot before
// the restore from it, a drill before the report verify of it). Only /tmp/ is moved into the
// test's own directory, and HOME with it.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProgram } from "../src/cli/program.js";
import { referenceOf } from "../src/cli/reference.js";
import { CLI } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";
import { removeTempDirs } from "./helpers/temp-dir.js";

// The order the examples run in; "" is the program's own --help.
const ORDER = [
  "keygen",
  "identity",
  "snapshot",
  "restore",
  "verify",
  "snapshots",
  "snapshots list",
  "snapshots validate",
  "snapshots diff",
  "snapshots export",
  "snapshots prune",
  "drill",
  "report verify",
  "report merge",
  "report render",
  "report",
  "gate",
  "audit",
  "",
  "completion",
  "seal",
  "init",
];

// What a reader does by hand before those examples, as their explanations say.
const BEFORE: Record<string, readonly string[]> = {
  "snapshots export": ["age-keygen -o /tmp/age-key.txt"],
  "report merge": [
    "for i in 2 3 4; do recoverable verify --shard $i/4 --out /tmp/atlas-shards; done",
  ],
  seal: ["git init -q && git add ops && git -c user.name=t -c user.email=t@t commit -qm ops"],
  // A store of one's own, and no drill config or policy yet (init never overwrites them).
  init: ["cp -r ops/store data && rm ops/drill.json ops/datasets/rollback-policy.json"],
  completion: [
    "mkdir -p ~/.local/share/bash-completion/completions ~/.zfunc ~/.config/fish/completions",
  ],
};

const references = referenceOf(createProgram());
const prepared = new Set<string>();
let example: ExampleCopy;
let tmp: string;
let env: Record<string, string>;

beforeAll(() => {
  example = copyExample();
  // A fresh checkout: the example's backup (its own store directory) was just written.
  const now = new Date();
  for (const entry of readdirSync(example.path("ops/store"), {
    recursive: true,
    withFileTypes: true,
  }))
    utimesSync(join(entry.parentPath, entry.name), now, now);
  tmp = example.path("tmp");
  const bin = example.path("bin");
  mkdirSync(tmp);
  mkdirSync(bin);
  mkdirSync(example.path("home"));
  writeFileSync(join(bin, "recoverable"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, "recoverable"), 0o755);
  env = {
    PATH: `${bin}:${process.env.PATH ?? ""}`,
    HOME: example.path("home"),
    CI: "true",
  };
});

afterAll(removeTempDirs);

function bash(line: string) {
  const script = `set -euo pipefail\n${line.replaceAll("/tmp/", `${tmp}/`)}`;
  return spawnSync("bash", ["-c", script], {
    cwd: example.dir,
    env: { ...process.env, NO_COLOR: "1", ...env },
    encoding: "utf8",
  });
}

describe("the examples of --help", () => {
  it("are all run by this test, every command's in its place in the order", () => {
    const withExamples = references.filter((r) => r.examples.length > 0).map((r) => r.path);
    expect([...ORDER].sort()).toEqual([...withExamples].sort());
  });

  for (const path of ORDER) {
    const reference = references.find((r) => r.path === path);
    for (const { command } of reference?.examples ?? []) {
      it(`${path || "recoverable"}: ${command}`, () => {
        for (const step of prepared.has(path) ? [] : (BEFORE[path] ?? [])) {
          const setup = bash(step);
          expect(setup.status, `${step}\n${setup.stderr}`).toBe(0);
        }
        prepared.add(path);
        const run = bash(command);
        expect(run.status, `${command}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
      });
    }
  }
});
