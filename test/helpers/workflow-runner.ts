// A GitHub Actions workflow played through on this machine, as far as it can be: jobs in
// order, a job per value of its matrix, each on a fresh checkout (a temp dir) with an empty
// RUNNER_TEMP; `${{ }}` expressions from the test's table; the recoverable command lines run
// for real; other shell steps through bash; npm, sudo and gh skipped (this machine has what
// they install); artifacts kept between jobs as GitHub keeps them. The marketplace actions the
// examples use are stood in for; any other action fails the run, so a change to a workflow is
// a change to its test.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import picomatch from "picomatch";
import { cleanEnv } from "./clean-env.js";
import { runCLI, type CLIRun } from "./cli.js";
import { recoverableInvocations, type Expansions } from "./shell-words.js";
import { makeTempDir } from "./temp-dir.js";

export type Step = {
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number | boolean>;
};
export type Job = {
  needs?: string | string[];
  if?: string;
  strategy?: { matrix?: Record<string, (string | number)[]> };
  steps: Step[];
};
export type Workflow = {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
};

export type Play = {
  /** The event the run is for: its conditions are judged for it. */
  readonly event: "release" | "schedule";
  /** `secrets.*` and `vars.*` values. */
  readonly values: Readonly<Record<string, string>>;
  /** A fresh checkout of the repository: the workspace of one job. */
  readonly checkout: () => string;
  /** Every recoverable run must pass this check (the test's expect). */
  readonly passed: (run: CLIRun, what: string) => void;
};

export type Played = {
  /** What ran, in order: `<job>: <action or recoverable verb or bash or skipped ...>`. */
  readonly ran: string[];
  /** The uploaded artifacts, by name: directories holding their files. */
  readonly artifacts: Map<string, string>;
  /** The job summary every drill appended to. */
  readonly summary: string;
};

export const GITHUB_EXPRESSION = /\$\{\{\s*([^}]*?)\s*\}\}/g;

/** The matrix combinations of a job: one empty one without a matrix. */
function combinations(job: Job): Record<string, string>[] {
  let all: Record<string, string>[] = [{}];
  for (const [key, values] of Object.entries(job.strategy?.matrix ?? {}))
    all = all.flatMap((c) => values.map((v) => ({ ...c, [key]: String(v) })));
  return all;
}

/** Only the conditions the examples use, judged for `event`. */
function holds(condition: string | undefined, event: Play["event"]): boolean {
  if (condition === undefined) return true;
  return condition
    .replace(/^\$\{\{\s*|\s*\}\}$/g, "")
    .split("&&")
    .every((term) => {
      const t = term.trim();
      if (t === "always()") return true;
      if (t === "github.event_name != 'pull_request'") return event !== ("pull_request" as string);
      if (t === "github.event_name == 'pull_request'") return event === ("pull_request" as string);
      if (/^needs\.\w+\.result != 'cancelled'$/.test(t)) return true;
      throw new Error(`the test cannot evaluate the condition ${t}`);
    });
}

/** A word with `*` in its last part, expanded against `cwd` as bash would (sorted). */
function glob(word: string, cwd: string): string[] {
  if (!word.includes("*")) return [word];
  const dir = dirname(word);
  const match = picomatch(word.slice(dir.length + 1));
  const found = existsSync(join(cwd, dir))
    ? readdirSync(join(cwd, dir)).filter((n) => match(n))
    : [];
  return found.length === 0 ? [word] : found.sort().map((n) => join(dir, n));
}

export function playWorkflow(workflow: Workflow, play: Play): Played {
  const artifacts = new Map<string, string>();
  const summary = join(makeTempDir("recoverable-summary-"), "step-summary.md");
  spawnSync("touch", [summary]);
  const ran: string[] = [];
  for (const [jobName, job] of Object.entries(workflow.jobs)) {
    if (!holds(job.if, play.event)) continue;
    for (const matrix of combinations(job)) {
      const expression = (text: string) =>
        text.replace(GITHUB_EXPRESSION, (_, name: string) => {
          const value = name.startsWith("matrix.") ? matrix[name.slice(7)] : play.values[name];
          if (value === undefined) throw new Error(`the test has no value for \${{ ${name} }}`);
          return value;
        });
      const workspace = play.checkout();
      const runnerTemp = makeTempDir("recoverable-runner-temp-");
      for (const step of job.steps) {
        if (!holds(step.if, play.event)) continue;
        const env: Record<string, string> = {
          RUNNER_TEMP: runnerTemp,
          GITHUB_STEP_SUMMARY: summary,
        };
        for (const [name, value] of Object.entries(step.env ?? {})) env[name] = expression(value);
        const what = `${jobName} / ${expression(step.name ?? step.uses ?? step.run ?? "")}`;
        if (step.uses !== undefined) {
          ran.push(`${jobName}: ${useAction(step, expression, workspace, artifacts, what)}`);
          continue;
        }
        ran.push(
          ...runStep(expression(step.run ?? ""), workspace, env, play, what).map(
            (r) => `${jobName}: ${r}`,
          ),
        );
      }
    }
  }
  return { ran, artifacts, summary };
}

/** One `uses:` step, stood in for; what it was. */
function useAction(
  step: Step,
  expression: (text: string) => string,
  workspace: string,
  artifacts: Map<string, string>,
  what: string,
): string {
  const action = (step.uses ?? "").replace(/@.*$/, "");
  const option = (name: string) => expression(String(step.with?.[name] ?? ""));
  if (action === "actions/upload-artifact") {
    const from = join(workspace, option("path"));
    if (!existsSync(from)) throw new Error(`${what}: ${option("path")} does not exist`);
    const stored = makeTempDir("recoverable-artifact-");
    cpSync(from, stored, { recursive: true });
    artifacts.set(option("name"), stored);
  } else if (action === "actions/download-artifact") {
    const names =
      option("pattern") === ""
        ? [option("name")]
        : [...artifacts.keys()].filter((n) => picomatch(option("pattern"))(n)).sort();
    if (names.length === 0 || names.some((n) => !artifacts.has(n)))
      throw new Error(`${what}: no uploaded artifact ${names.join(", ") || option("pattern")}`);
    // merge-multiple puts every artifact's files in one directory; otherwise one per name.
    for (const name of names) {
      const into =
        names.length > 1 && step.with?.["merge-multiple"] !== true
          ? join(option("path"), name)
          : option("path");
      cpSync(artifacts.get(name) ?? "", join(workspace, into), { recursive: true });
    }
  } else if (action === "mikepenz/action-junit-report") {
    const junit = new XMLParser({ ignoreAttributes: false }).parse(
      readFileSync(join(workspace, option("report_paths")), "utf8"),
    ) as Record<string, unknown>;
    if (!("testsuites" in junit)) throw new Error(`${what}: not a JUnit report`);
  } else if (action !== "actions/checkout" && action !== "actions/setup-node") {
    throw new Error(`${what}: the test does not know the action ${action}`);
  }
  return action;
}

/** One `run:` step: its recoverable command lines run for real, else bash, else skipped. */
function runStep(
  script: string,
  workspace: string,
  env: Record<string, string>,
  play: Play,
  what: string,
): string[] {
  const expand: Expansions = {
    variable: (name) => {
      const value = env[name];
      if (value === undefined) throw new Error(`${what}: $${name} is not set`);
      return value;
    },
    command: (text) => {
      throw new Error(`${what}: the test cannot run $(${text})`);
    },
  };
  const invocations = recoverableInvocations(script, expand);
  if (invocations.length > 0)
    return invocations.map((argv) => {
      const words = argv.flatMap((word) => glob(word, workspace));
      play.passed(
        runCLI(words, { cwd: workspace, env }),
        `${what}: recoverable ${words.join(" ")}`,
      );
      return `recoverable ${argv[0] === "report" ? `report ${argv[1] ?? ""}` : (argv[0] ?? "")}`;
    });
  if (/^(npm|sudo|gh|run_id)\b/m.test(script)) return [`skipped ${script.split(/\s/)[0] ?? ""}`];
  const shell = spawnSync("bash", ["-euo", "pipefail", "-c", script], {
    cwd: workspace,
    env: { ...cleanEnv(), ...env },
    encoding: "utf8",
  });
  if (shell.status !== 0) throw new Error(`${what}\n${shell.stderr}`);
  return ["bash"];
}
