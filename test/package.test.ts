// The package as a user gets it (issue 8): `npm pack` of the build, installed into a fresh
// project outside the repository, imported by its name. It proves `exports`, `types`, `files`
// and `bin`, and runs the examples of docs/library.md against the installed package.
//
// Speed: the tarball is installed with --prefer-offline (npm's cache first, the registry for
// what is missing) and --ignore-scripts, so better-sqlite3 is not compiled again (about a
// minute); its native binding is copied from the repository's own install, after checking
// both are the same version. Everything else the package needs comes from the tarball and
// its declared dependencies only.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { cleanEnv } from "./helpers/clean-env.js";
import { makeTempDir } from "./helpers/temp-dir.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const TSC = join(REPO, "node_modules", "typescript", "bin", "tsc");

type PackedFile = { readonly path: string };
type Packed = { readonly filename: string; readonly files: readonly PackedFile[] };

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  timeout = 60_000,
): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: cleanEnv(), encoding: "utf8", timeout });
}

function mustSucceed(what: string, result: SpawnSyncReturns<string>): string {
  if (result.status !== 0)
    throw new Error(
      `${what} failed (exit ${String(result.status)}${result.error ? `, ${result.error.message}` : ""}):\n${result.stderr}\n${result.stdout}`,
    );
  return result.stdout;
}

const versionOf = (packageDir: string) =>
  (JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { version: string })
    .version;

let packed: Packed;
let project: string;

/** A directory of the project holding a fresh copy of the bundled example's ops/. */
function exampleIn(name: string): string {
  const dir = join(project, name);
  mkdirSync(dir);
  // New times on purpose: the example's backup must be fresh for audit, as after a checkout.
  cpSync(join(REPO, "ops"), join(dir, "ops"), { recursive: true });
  return dir;
}

beforeAll(() => {
  if (!existsSync(join(REPO, "dist", "index.js")))
    throw new Error("dist/ is missing: run `npm run build` first (`npm test` does)");
  const work = makeTempDir("recoverable-package-");
  // --ignore-scripts: `prepare` would rebuild dist/ under the other test files running now.
  const packJSON = mustSucceed(
    "npm pack",
    run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], REPO),
  );
  packed = (JSON.parse(packJSON) as Packed[])[0] as Packed;
  project = join(work, "library-user");
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "library-user", private: true, type: "module" }, null, 2),
  );
  mustSucceed(
    "npm install of the packed tarball",
    run(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        join(work, packed.filename),
      ],
      project,
      150_000,
    ),
  );
  const ours = join(REPO, "node_modules", "better-sqlite3");
  const theirs = join(project, "node_modules", "better-sqlite3");
  if (versionOf(ours) !== versionOf(theirs))
    throw new Error(
      `npm installed better-sqlite3 ${versionOf(theirs)}, the repository has ${versionOf(ours)}: its native binding cannot be reused`,
    );
  mkdirSync(join(theirs, "build", "Release"), { recursive: true });
  copyFileSync(
    join(ours, "build", "Release", "better_sqlite3.node"),
    join(theirs, "build", "Release", "better_sqlite3.node"),
  );
}, 200_000);

describe("the install the README gives", () => {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const lines = (
    /<[!]-- install:begin -->\n([\s\S]*?)<[!]-- install:end -->/.exec(readme)?.[1] ?? ""
  )
    .split("\n")
    .map((line) => line.trim().replace(/\s+#.*$/, ""))
    .filter((line) => line !== "");

  it("packs the repository and installs the tarball, as this test did in a fresh project", () => {
    expect(lines).toContain("npm ci && npm pack");
    const install = lines.find((line) => line.startsWith("npm install "));
    // The tarball the README names is the one `npm pack` writes.
    expect(install?.split("/").at(-1)).toBe(packed.filename);
  });

  it("then runs `npx recoverable --version` there, offline: the installed command", () => {
    expect(lines.at(-1)).toBe("npx recoverable --version");
    const child = spawnSync("npx", ["recoverable", "--version"], {
      cwd: project,
      env: cleanEnv({ npm_config_offline: "true" }),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(child.stderr).toBe("");
    expect(child.stdout).toBe(`${versionOf(REPO)}\n`);
  });

  const npmHasApproveScripts =
    spawnSync("npm", ["help", "approve-scripts"], { env: cleanEnv(), encoding: "utf8" }).status ===
    0;
  it.skipIf(!npmHasApproveScripts)(
    "leaves better-sqlite3's install script to approve (npm 11), which `npm approve-scripts better-sqlite3` records",
    () => {
      const pending = run("npm", ["approve-scripts", "--allow-scripts-pending"], project);
      expect(pending.stdout + pending.stderr).toMatch(/better-sqlite3@\S+ \(install:/);
      mustSucceed(
        "npm approve-scripts",
        run("npm", ["approve-scripts", "better-sqlite3"], project),
      );
      const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as {
        allowScripts?: Record<string, boolean>;
      };
      expect(manifest.allowScripts).toEqual({ "better-sqlite3": true });
      expect(readme).toContain("npm approve-scripts better-sqlite3");
    },
  );
});

describe("the packed package", () => {
  it("imports at run time only its declared dependencies, and the example's service only those too", () => {
    const declared = Object.keys(
      (
        JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
          dependencies: Record<string, string>;
        }
      ).dependencies,
    );
    const installed = join(project, "node_modules", "recoverable");
    const files = [
      ...packed.files
        .filter((f) => /^dist\/.*\.(js|cjs)$/.test(f.path))
        .map((f) => join(installed, f.path)),
      join(REPO, "ops", "service", "atlas-service.mjs"),
    ];
    const imported = new Set<string>();
    for (const file of files)
      for (const m of readFileSync(file, "utf8").matchAll(
        /(?:from\s+|import\(\s*|require\(\s*)["']([^"'./][^"']*)["']/g,
      )) {
        const specifier = m[1] ?? "";
        if (specifier.startsWith("node:")) continue;
        const parts = specifier.split("/");
        imported.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? ""));
      }
    expect([...imported].filter((name) => !declared.includes(name))).toEqual([]);
    // json-canonicalize is the tests' reference for RFC 8785, not a dependency.
    expect(declared).not.toContain("json-canonicalize");
  });

  it("ships the build, the schemas, the compiled schemas and the store worker, and nothing of the tests or sources", () => {
    const paths = packed.files.map((f) => f.path);
    for (const needed of [
      "package.json",
      "README.md",
      "dist/index.js",
      "dist/index.d.ts",
      "dist/cli/main.js",
      "dist/store/store-worker.js",
      "dist/documents/compiled-schemas.cjs",
      "schemas/defs.schema.json",
      "schemas/manifest.schema.json",
      "schemas/packet.schema.json",
      "schemas/provenance.schema.json",
      "schemas/rollback-policy.schema.json",
      "schemas/drill-config.schema.json",
      "schemas/drill-report.schema.json",
      "schemas/snapshot.schema.json",
      // The optional rename-exchange addon: its sources and the install script that builds it.
      "native/rename-exchange/binding.gyp",
      "native/rename-exchange/rename_exchange.c",
      "scripts/build-native.mjs",
    ])
      expect(paths).toContain(needed);
    const foreign = paths.filter(
      (p) =>
        !/^(dist\/|schemas\/[a-z-]+\.schema\.json$|package\.json$|README\.md$|LICENSE$|native\/rename-exchange\/(binding\.gyp|rename_exchange\.c)$|scripts\/build-native\.mjs$)/.test(
          p,
        ),
    );
    expect(foreign).toEqual([]);
    expect(paths).toContain("LICENSE");
    // Source maps would point at src/, which is not shipped.
    expect(paths.filter((p) => p.endsWith(".map"))).toEqual([]);
    expect(paths.filter((p) => /(^|\/)test\/|\.test\.|(^|\/)src\//.test(p))).toEqual([]);
  });

  it("resolves `recoverable` to the installed dist/index.js, and importing it prints nothing and installs no signal handler", () => {
    writeFileSync(
      join(project, "import-only.mjs"),
      [
        'const before = ["SIGINT", "SIGTERM", "exit"].map((e) => process.listenerCount(e));',
        'const library = await import("recoverable");',
        'const after = ["SIGINT", "SIGTERM", "exit"].map((e) => process.listenerCount(e));',
        "console.log(JSON.stringify({",
        '  resolved: import.meta.resolve("recoverable"),',
        "  exports: Object.keys(library).sort(),",
        "  before,",
        "  after,",
        "}));",
      ].join("\n"),
    );
    const child = run(process.execPath, ["import-only.mjs"], project, 20_000);
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    const seen = JSON.parse(child.stdout) as {
      resolved: string;
      exports: string[];
      before: number[];
      after: number[];
    };
    expect(fileURLToPath(seen.resolved)).toBe(
      join(project, "node_modules", "recoverable", "dist", "index.js"),
    );
    expect(seen.after).toEqual(seen.before);
    for (const name of [
      "verify",
      "drill",
      "seal",
      "restore",
      "identity",
      "keygen",
      "reportVerify",
      "gate",
      "audit",
      "snapshot",
      "RecoverableError",
    ])
      expect(seen.exports).toContain(name);
  });

  it("runs verify on the example through the library API: proven, and one changed byte is not_proven with artifact_hash_mismatch", () => {
    const dir = exampleIn("verify-case");
    writeFileSync(
      join(dir, "use-verify.mjs"),
      `import { readFileSync, writeFileSync, cpSync } from "node:fs";
import { verify } from "recoverable";

const intact = await verify({ root: "ops/store" });
cpSync("ops/store", "changed-store", { recursive: true });
const file = "changed-store/datasets/cities.sqlite";
const bytes = readFileSync(file);
bytes[5000] ^= 0x01;
writeFileSync(file, bytes);
const changed = await verify({ root: "changed-store" });
console.log(JSON.stringify({ intact, changed }));
`,
    );
    const child = run(process.execPath, ["use-verify.mjs"], dir, 30_000);
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    type Result = {
      verdict: string;
      exitCode: number;
      releaseId: string;
      findings: { code: string; subject: string; severity: string }[];
      checked: { artifacts: number } | null;
    };
    const { intact, changed } = JSON.parse(child.stdout) as { intact: Result; changed: Result };
    expect(intact).toMatchObject({
      verdict: "proven",
      exitCode: 0,
      releaseId: "atlas-2026.11.1",
      findings: [],
    });
    expect(intact.checked?.artifacts).toBeGreaterThan(0);
    expect(changed).toMatchObject({ verdict: "not_proven", exitCode: 1 });
    expect(changed.findings.filter((f) => f.severity === "error")).toEqual([
      expect.objectContaining({
        code: "artifact_hash_mismatch",
        subject: "datasets/cities.sqlite",
      }),
    ]);
  });

  it("installed without its install script, has no rename-exchange addon and restores with two renames; its shipped sources build the addon, and restore then exchanges", () => {
    const dir = exampleIn("exchange-case");
    const bin = join(project, "node_modules", ".bin", "recoverable");
    const installed = join(project, "node_modules", "recoverable");
    const addon = join(installed, "native", "rename-exchange", "build");
    expect(existsSync(addon)).toBe(false);
    cpSync(join(dir, "ops", "store"), join(dir, "live"), { recursive: true });
    writeFileSync(join(dir, "live", "marker.txt"), "the old store");
    const restore = () => {
      // The marker is unlisted: set aside with the old store rather than carried over.
      const args = [
        ...["restore", "--source", "dir:ops/store", "--target", "live", "--force"],
        "--set-aside-unlisted",
      ];
      const plan = run(bin, [...args, "--dry-run", "--json"], dir, 30_000);
      const steps = (JSON.parse(plan.stdout) as { plan: { steps: string[] } }).plan.steps;
      const child = run(bin, [...args, "--json"], dir, 30_000);
      expect(child.status, child.stdout).toBe(0);
      const result = JSON.parse(child.stdout) as { verdict: string; safetyCopy: string };
      expect(result.verdict).toBe("proven");
      return { swap: steps.find((step) => step.startsWith("swap: ")), ...result };
    };
    const renamed = restore();
    expect(renamed.swap).toMatch(/^swap: move the current .* then rename /);
    expect(readFileSync(resolve(dir, renamed.safetyCopy, "marker.txt"), "utf8")).toBe(
      "the old store",
    );
    const build = run(
      process.execPath,
      [join(installed, "scripts", "build-native.mjs")],
      dir,
      120_000,
    );
    expect(build.status, build.stderr).toBe(0);
    expect(build.stdout).toMatch(/^recoverable: built .*rename_exchange\.node$/m);
    writeFileSync(join(dir, "live", "marker.txt"), "the old store, again");
    const exchanged = restore();
    expect(exchanged.swap).toMatch(/^swap: exchange .* in one step \(renameat2 RENAME_EXCHANGE\)/);
    expect(readFileSync(resolve(dir, exchanged.safetyCopy, "marker.txt"), "utf8")).toBe(
      "the old store, again",
    );
  });

  it("installs the recoverable command, which verifies the example", () => {
    const dir = exampleIn("bin-case");
    const bin = join(project, "node_modules", ".bin", "recoverable");
    const child = run(bin, ["verify", "--json"], dir, 30_000);
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toMatchObject({ verb: "verify", verdict: "proven" });
  });

  it("type-checks a TypeScript user's code, and the TypeScript of docs/library.md, against the shipped declarations alone", () => {
    const dir = join(project, "typed");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "use-library.ts"),
      `import {
  drill,
  RecoverableError,
  restore,
  seal,
  verify,
  type ExitCode,
  type Finding,
  type FindingCode,
  type ProgressReporter,
  type RestoreResult,
  type Verdict,
  type VerifyResult,
} from "recoverable";

const progress: ProgressReporter = {
  stage: () => ({ advance: (files: number, bytes: number) => void [files, bytes], done: () => undefined }),
};
const verified: VerifyResult = await verify({ root: "ops/store", progress });
const verdict: Verdict = verified.verdict;
const exitCode: ExitCode = verified.exitCode;
const codes: FindingCode[] = verified.findings.map((f: Finding) => f.code);
const artifacts: number | undefined = verified.checked?.artifacts;
const restored: RestoreResult = await restore({ source: "dir:ops/store", target: "t", dryRun: true });
const steps: readonly string[] | undefined = restored.plan?.steps;
const drilled = await drill({ source: "dir:ops/store", signal: new AbortController().signal });
const envelope: string | null | undefined = drilled.report?.envelope;
const sealed = await seal({ root: "ops/store", releaseId: "a-1", releaseVersion: "1.0.0" });
const written: string[] = sealed.written;
try {
  await verify();
} catch (error) {
  if (error instanceof RecoverableError) {
    const code: FindingCode = error.code;
    const message: string = error.finding.message;
    const three: ExitCode = error.exitCode;
    console.log(code, message, three);
  }
}
console.log(verdict, exitCode, codes, artifacts, steps, envelope, written);

// The types refuse what the CLI would refuse.
// @ts-expect-error seal needs a release id and a release version
await seal({ root: "ops/store" });
// @ts-expect-error restore needs a source and a target
await restore({ source: "dir:ops/store" });
// @ts-expect-error a verdict is one of four words
const wrong: Verdict = "ok";
// @ts-expect-error verify has no option "rootDir"
await verify({ rootDir: "ops/store" });
console.log(wrong);
`,
    );
    const docs = readFileSync(join(REPO, "docs", "library.md"), "utf8");
    const blocks = (language: string) =>
      [...docs.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map(
        (m) => m[1] ?? "",
      );
    expect(blocks("ts").length).toBeGreaterThan(0);
    blocks("ts").forEach((code, i) => {
      writeFileSync(join(dir, `docs-${i + 1}.ts`), code);
    });
    // The JavaScript examples too (checkJs), so a field they read must exist.
    blocks("js").forEach((code, i) => {
      writeFileSync(join(dir, `docs-${i + 1}.mjs`), code);
    });
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2023"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          // Every declaration the package ships is checked, not only the user's code.
          skipLibCheck: false,
          noEmit: true,
          allowJs: true,
          checkJs: true,
          // @types/node is the one type package a user needs; it comes from the repository.
          types: ["node"],
          typeRoots: [join(REPO, "node_modules", "@types")],
        },
        include: ["*.ts", "*.mjs"],
      }),
    );
    const child = run(process.execPath, [TSC, "-p", dir], dir, 60_000);
    expect(child.stdout + child.stderr).toBe("");
    expect(child.status).toBe(0);
  });

  it("runs every JavaScript example of docs/library.md, in order, against the installed package", () => {
    const dir = exampleIn("docs-examples");
    const docs = readFileSync(join(REPO, "docs", "library.md"), "utf8");
    const blocks = [...docs.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    const outputs = blocks.map((code, i) => {
      const file = `example-${i + 1}.mjs`;
      writeFileSync(join(dir, file), code);
      const child = run(process.execPath, [file], dir, 60_000);
      expect(
        child.status,
        `docs/library.md example ${i + 1} (${file}):\n${code}\n${child.stderr}`,
      ).toBe(0);
      return child.stdout;
    });
    const imported = (name: string) =>
      outputs.find((_, i) => new RegExp(`import \\{[^}]*\\b${name}\\b`).test(blocks[i] ?? ""));
    for (const verb of [
      "verify",
      "keygen",
      "drill",
      "reportVerify",
      "restore",
      "gate",
      "audit",
      "seal",
    ])
      expect(imported(verb), `the example of ${verb}`).toMatch(/^proven\b/m);
    const failing = outputs.at(-1) ?? "";
    expect(failing).toMatch(/^unusable_input \[ 'usage_invalid' \]/m);
    expect(failing).toMatch(/^sqlite_integrity_check_failed 1 /m);
    expect(failing).toMatch(/^[0-9a-f]{64} /m);
    // The drill wrote and signed its report where the drill config says.
    expect(existsSync(join(dir, "restored", "store", "catalog.json"))).toBe(true);
  });
});
