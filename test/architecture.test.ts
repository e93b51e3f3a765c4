// The layers of src/ (docs/architecture.md): the folders import each other in no circle
// (scripts/import-graph.mjs), and an import that looks up a layer fails `npm run lint`
// (scripts/layers.mjs, wired into eslint.config.js). Upward imports and cycles are planted in
// temporary copies and in memory, never in src/.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ESLint, type Linter } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import { makeTempDir } from "./helpers/temp-dir.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const GRAPH = join(REPO, "scripts/import-graph.mjs");

type Layers = {
  LAYERS: readonly { readonly layer: string; readonly folders: readonly string[] }[];
  ORDER: readonly string[];
  layerRules: () => Linter.Config[];
};
const { LAYERS, ORDER, layerRules } = (await import(
  pathToFileURL(join(REPO, "scripts/layers.mjs")).href
)) as Layers;

function graph(root?: string) {
  const run = spawnSync(process.execPath, [GRAPH, ...(root === undefined ? [] : [root])], {
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

describe("the folder import graph", () => {
  it("has no cycle in src/, and prints each folder with what it imports", () => {
    const { status, stdout, stderr } = graph();
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toMatch(/^identity -> \(nothing\)$/m);
    expect(stdout).toMatch(/^cli -> .*verbs \(\d+\)/m);
  });

  it("names a cycle of type-only, re-exported and dynamic imports and exits 1", () => {
    const root = join(makeTempDir("recoverable-graph-"), "src");
    writeFiles(root, {
      "a/one.ts": 'import type { Two } from "../b/two.js";\nexport type One = Two;\n',
      "b/two.ts": 'export { three as Two } from "../c/three.js";\n',
      "c/three.ts": 'export const three = async () => (await import("../a/one.js")) as unknown;\n',
      "d/four.ts": 'import "../a/one.js";\n',
    });
    const { status, stdout, stderr } = graph(root);
    expect(status).toBe(1);
    expect(stdout).toMatch(/^d -> a \(1\)$/m);
    expect(stderr).toContain("import cycle: a -> b -> c -> a");
    expect(stderr).toContain("a -> b: a/one.ts: ../b/two.js");
    expect(stderr).toContain("c -> a: c/three.ts: ../a/one.js");
  });

  it("exits 1 on a copy of src/ with one import planted that closes a circle", () => {
    const root = join(makeTempDir("recoverable-graph-"), "src");
    cpSync(join(REPO, "src"), root, { recursive: true });
    const planted = join(root, "util/display-path.ts");
    writeFileSync(
      planted,
      `${readFileSync(planted, "utf8")}\nexport type { VerbResult } from "../verbs/result.js";\n`,
    );
    const { status, stderr } = graph(root);
    expect(status).toBe(1);
    expect(stderr).toMatch(/import cycle: .*util -> verbs/);
    expect(stderr).toContain("util -> verbs: util/display-path.ts: ../verbs/result.js");
  });
});

describe("the layer table", () => {
  it("names every folder of src/ (and each file directly in it) exactly once", () => {
    const entries = readdirSync(join(REPO, "src"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || entry.name.endsWith(".ts"))
      .map((entry) => entry.name);
    expect([...ORDER].sort()).toEqual(entries.sort());
    expect(new Set(ORDER).size).toBe(ORDER.length);
  });

  it("is drawn in docs/architecture.md, every folder with what it owns", () => {
    const doc = readFileSync(join(REPO, "docs/architecture.md"), "utf8");
    for (const { layer, folders } of LAYERS) {
      expect(doc).toContain(layer);
      for (const folder of folders) expect(doc).toContain(`src/${folder}`);
    }
  });
});

describe("the lint rule", () => {
  // Only the rules the table makes, with the TypeScript parser: fast, and exactly what
  // eslint.config.js adds for each folder.
  const layersOnly = new ESLint({
    cwd: REPO,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ["**/*.ts"], languageOptions: { parser: tseslint.parser } },
      ...layerRules(),
    ],
  });
  const lint = async (filePath: string, text: string) => {
    const [result] = await layersOnly.lintText(text, { filePath });
    return result?.messages ?? [];
  };

  it("rejects an import, a type-only import or a re-export that looks up a layer", async () => {
    const upward = [
      ["src/store/planted.ts", 'import { verify } from "../verbs/verify.js";\n'],
      ["src/documents/planted.ts", 'import type { DrillMode } from "../drill/drill.js";\n'],
      ["src/util/deep/planted.ts", 'export { seal } from "../../verbs/seal.js";\n'],
      ["src/verbs/planted.ts", 'import { runCLI } from "../cli/run.js";\n'],
      ["src/drill/planted.ts", 'import { drill } from "../index.js";\n'],
      ["src/index.ts", 'export { runCLI } from "./cli/run.js";\n'],
      ["src/archive/planted.ts", 'import { openSource } from "../sources/open-source.js";\n'],
    ] as const;
    for (const [path, text] of upward) {
      const messages = await lint(path, text);
      expect(
        messages.map((m) => m.ruleId),
        `${path}: ${text}`,
      ).toEqual(["no-restricted-imports"]);
    }
    const [message] = await lint(upward[0][0], upward[0][1]);
    expect(message?.message).toContain(
      'src/store (layer "rules and parts") may not import src/verbs, which is above it',
    );
  });

  it("lets a folder import the layers below it and the folders left of it in its own", async () => {
    const downward = [
      ["src/verbs/planted.ts", 'import { runDrill } from "../drill/drill.js";\n'],
      ["src/store/planted.ts", 'import type { DigestSet } from "../identity/digest.js";\n'],
      ["src/sources/planted.ts", 'import { openRepository } from "../snapshots/repository.js";\n'],
      ["src/cli/commands/planted.ts", 'import { verify } from "../../verbs/verify.js";\n'],
      ["src/index.ts", 'export { verify } from "./verbs/verify.js";\n'],
      ["src/report/planted.ts", 'import { join } from "node:path";\nimport "./render-text.js";\n'],
    ] as const;
    for (const [path, text] of downward) expect(await lint(path, text), path).toEqual([]);
  });

  it("is part of the repository's own lint config: `npm run lint` fails on a planted import", async () => {
    // The real config, type-checked as `npm run lint` runs it, on the text of a file of src/ with
    // an upward import added: only in memory, the file on disk is not touched.
    const eslint = new ESLint({ cwd: REPO });
    const path = join(REPO, "src/store/roles.ts");
    const text = `${readFileSync(path, "utf8")}\nimport type { VerbResult } from "../verbs/result.js";\nexport type Planted = VerbResult;\n`;
    const [result] = await eslint.lintText(text, { filePath: path });
    expect(result?.messages.map((m) => [m.ruleId, m.message.includes("src/verbs")])).toEqual([
      ["no-restricted-imports", true],
    ]);
  }, 180_000);

  it("holds functions short: a verb over 40 lines or any other function over 80 fails `npm run lint`, an option table does not", async () => {
    // The real config on planted text, in memory only: nothing on disk is touched.
    const eslint = new ESLint({ cwd: REPO });
    const body = (lines: number) =>
      Array.from({ length: lines }, (_, i) => `  const v${i} = ${i};`).join("\n");
    // A function of `lines` + 3 lines: its head, its body, a return and its closing brace.
    const fn = (lines: number) =>
      `export function planted(): number {\n${body(lines)}\n  return 0;\n}\n`;
    // Appended to a real file of each folder, so the type-checked config knows the file.
    const lengthErrors = async (file: string, planted: string) => {
      const path = join(REPO, file);
      const text = `${readFileSync(path, "utf8")}\n${planted}`;
      const [result] = await eslint.lintText(text, { filePath: path });
      return (result?.messages ?? [])
        .map((m) => m.ruleId)
        .filter((rule) => rule === "max-lines-per-function");
    };
    expect(await lengthErrors("src/verbs/result.ts", fn(37))).toEqual([]);
    expect(await lengthErrors("src/verbs/result.ts", fn(38))).toEqual(["max-lines-per-function"]);
    expect(await lengthErrors("src/store/roles.ts", fn(77))).toEqual([]);
    expect(await lengthErrors("src/store/roles.ts", fn(78))).toEqual(["max-lines-per-function"]);
    expect(await lengthErrors("src/cli/commands/verify.ts", fn(200))).toEqual([]);
  }, 180_000);
});
