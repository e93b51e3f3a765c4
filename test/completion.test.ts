// `recoverable completion bash|zsh|fish`: each script is loaded into the real shell and asked
// what it completes, as the shell's completion system would ask: bash through COMP_WORDS and
// COMP_CWORD, fish through `complete -C`, zsh with the completion system's builtins stood in
// for (they exist only inside a completion widget). Every flag `--help` lists is completed.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createProgram } from "../src/cli/program.js";
import { runCLI } from "./helpers/cli.js";
import { makeTempDir } from "./helpers/temp-dir.js";

const has = (shell: string) => spawnSync(shell, ["-c", "true"]).status === 0;

let dir: string;
const scripts: Record<string, string> = {};

beforeAll(() => {
  dir = makeTempDir("recoverable-completion-");
  writeFileSync(join(dir, "drill.key"), "");
  mkdirSync(join(dir, "scratch-here"));
  for (const shell of ["bash", "zsh", "fish"]) {
    const run = runCLI(["completion", shell]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    scripts[shell] = join(dir, `recoverable.${shell}`);
    writeFileSync(scripts[shell], run.stdout);
  }
});

/** What bash's completion function offers for the words typed so far (the last one is the cursor's). */
function bashCompletes(...words: string[]): string[] {
  const script = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _recoverable; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const run = spawnSync(
    "bash",
    ["--norc", "-c", script, "bash", scripts["bash"] ?? "", "recoverable", ...words],
    {
      cwd: dir,
      encoding: "utf8",
    },
  );
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  return run.stdout.split("\n").filter((l) => l !== "");
}

/** The command paths of the program and the long flags its `--help` lists for each. */
function helpFlags(): [string[], string[]][] {
  const paths: string[][] = [[]];
  for (const verb of createProgram().commands) {
    paths.push([verb.name()]);
    for (const sub of verb.commands) paths.push([verb.name(), sub.name()]);
  }
  return paths.map((path) => {
    const help = runCLI([...path, "--help"]).stdout;
    const flags = [...help.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1] ?? "");
    return [path, flags];
  });
}

describe("recoverable completion bash, sourced into bash", () => {
  it("completes verbs, a group's commands and a command's shells", () => {
    expect(bashCompletes("dr")).toEqual(["drill"]);
    expect(bashCompletes("")).toEqual(
      expect.arrayContaining(["seal", "verify", "drill", "report", "snapshots", "completion"]),
    );
    expect(bashCompletes("report", "")).toEqual(["verify", "merge", "render"]);
    expect(bashCompletes("snapshots", "p")).toEqual(["prune"]);
    expect(bashCompletes("completion", "")).toEqual(["bash", "zsh", "fish"]);
  });

  it("completes a command's flags, and the value of the flag before the cursor", () => {
    expect(bashCompletes("drill", "--so")).toEqual(["--source"]);
    expect(bashCompletes("report", "verify", "--k")).toEqual(["--key"]);
    expect(bashCompletes("drill", "--source", "")).toEqual([
      "dir:",
      "tar:",
      "snapshot:",
      "restic:",
    ]);
    expect(bashCompletes("drill", "--source", "sn")).toEqual(["snapshot:"]);
    expect(bashCompletes("drill", "--key", "dr")).toEqual(["drill.key"]);
    expect(bashCompletes("drill", "--scratch", "")).toEqual(["scratch-here"]);
    expect(bashCompletes("drill", "--shard", "")).toEqual([]);
    // After a value, flags again; a verb's name as a value does not change the command.
    expect(bashCompletes("drill", "--out", "verify", "--li")).toEqual(["--live"]);
  });

  it("completes every flag that `recoverable <command> --help` lists", () => {
    for (const [path, flags] of helpFlags()) {
      expect(flags.length, path.join(" ")).toBeGreaterThan(0);
      expect(bashCompletes(...path, "--"), path.join(" ")).toEqual(expect.arrayContaining(flags));
    }
  });
});

describe.skipIf(!has("zsh"))("recoverable completion zsh, in zsh", () => {
  it("parses (zsh -n)", () => {
    const run = spawnSync("zsh", ["-n", scripts["zsh"] ?? ""], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  // compadd, _describe and _files exist only inside a completion widget: these stand-ins print
  // the candidates they are given (unfiltered by the prefix, as the real ones filter).
  const STUBS = `
    compdef() { :; }
    compadd() { while [[ $1 == -* && $1 != -- ]]; do [[ $1 == -S ]] && shift; shift; done; [[ $1 == -- ]] && shift; print -l -- "$@"; }
    _describe() { local name=$4; print -l -- "\${(@)\${(@P)name}%%:*}"; }
    _files() { print -r -- "_files\${1:+ $*}"; }
  `;
  const zshCompletes = (...words: string[]) => {
    const script = `${STUBS}; source "$1"; shift; words=(recoverable "$@"); CURRENT=$#words; _recoverable`;
    const run = spawnSync("zsh", ["-f", "-c", script, "zsh", scripts["zsh"] ?? "", ...words], {
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    return run.stdout.split("\n").filter((l) => l !== "");
  };

  it("offers verbs, commands, flags and values as the bash script does", () => {
    expect(zshCompletes("")).toEqual(expect.arrayContaining(["drill", "report", "completion"]));
    expect(zshCompletes("report", "")).toEqual(["verify", "merge", "render"]);
    expect(zshCompletes("drill", "--")).toEqual(
      expect.arrayContaining(["--source", "--key", "-C", "--json"]),
    );
    expect(zshCompletes("drill", "--source", "")).toEqual(["dir:", "tar:", "snapshot:", "restic:"]);
    expect(zshCompletes("drill", "--key", "")).toEqual(["_files"]);
    expect(zshCompletes("drill", "--scratch", "")).toEqual(["_files -/"]);
    expect(zshCompletes("completion", "")).toEqual(["bash", "zsh", "fish"]);
  });
});

describe.skipIf(!has("fish"))("recoverable completion fish, in fish", () => {
  const fishCompletes = (line: string) => {
    const run = spawnSync(
      "fish",
      ["--no-config", "-c", `source $argv[1]; complete -C$argv[2]`, scripts["fish"] ?? "", line],
      {
        cwd: dir,
        encoding: "utf8",
      },
    );
    expect(run.stderr).toBe("");
    return run.stdout
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => l.split("\t")[0]);
  };

  it("parses (fish -n)", () => {
    const run = spawnSync("fish", ["-n", scripts["fish"] ?? ""], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("completes verbs, commands, flags and values through `complete -C`", () => {
    expect(fishCompletes("recoverable dr")).toEqual(["drill"]);
    expect(fishCompletes("recoverable report ").sort()).toEqual(["merge", "render", "verify"]);
    expect(fishCompletes("recoverable drill --so")).toEqual(["--source"]);
    expect(fishCompletes("recoverable drill --source ").sort()).toEqual([
      "dir:",
      "restic:",
      "snapshot:",
      "tar:",
    ]);
    expect(fishCompletes("recoverable drill --key dr")).toEqual(["drill.key"]);
    expect(fishCompletes("recoverable completion ").sort()).toEqual(["bash", "fish", "zsh"]);
    // A top-level verb's flags are not offered to `report verify`, nor the other way round.
    expect(fishCompletes("recoverable report verify --")).not.toContain("--strict");
    expect(fishCompletes("recoverable verify --")).toContain("--strict");
  });
});

describe("recoverable completion, the verb", () => {
  it("prints the script alone on stdout, or inside the JSON result with --json", () => {
    const plain = runCLI(["completion", "bash"]);
    const json = runCLI(["completion", "bash", "--json"]);
    expect(json.code).toBe(0);
    expect(json.json()).toMatchObject({
      verb: "completion",
      verdict: "proven",
      shell: "bash",
      script: plain.stdout,
    });
  });

  it("refuses a shell it has no script for: exit 2, usage_invalid naming <shell>", () => {
    const run = runCLI(["completion", "powershell", "--json"]);
    expect(run.code).toBe(2);
    expect(run.json()).toMatchObject({ verb: "completion", script: null });
    expect(run.json()).toHaveFinding("usage_invalid", "<shell>");
  });
});
