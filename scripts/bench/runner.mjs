// Running commands for the benchmark: ours through the built CLI with --json (a run counts only
// when the verdict is proven), the baselines as shell pipelines, and the warm-up-then-median
// comparison of the two.
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { measure, median } from "./measure.mjs";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(REPO, "dist", "cli", "main.js");
export const CORES = availableParallelism();

export const log = (line = "") => console.log(line);
export const quote = (text) => `'${String(text).replaceAll("'", `'\\''`)}'`;
export const round = (value, places) => Math.round(value * 10 ** places) / 10 ** places;
export const seconds = (value) => `${value.toFixed(value < 10 ? 3 : 2)} s`;
export const cpu = (result) => (result.cpuPercent === null ? "" : `, cpu ${result.cpuPercent}%`);

/** Parallel SHA-256 of every file under `dir`: one openssl process per core, 64 files each. */
export const parallelHash = (dir) =>
  `find ${quote(dir)} -type f -print0 | xargs -0 -P ${CORES} -n 64 openssl dgst -sha256 >/dev/null`;
export const PARALLEL_HASH_LABEL = `openssl dgst -sha256, ${CORES} processes (xargs -P ${CORES} -n 64)`;
/** The same, one openssl process at a time (xargs splits the list only at the argument limit). */
export const singleHash = (dir) =>
  `find ${quote(dir)} -type f -print0 | xargs -0 openssl dgst -sha256 >/dev/null`;

/** The 1, 5 and 15 minute load averages: above 0 on a quiet machine means someone else's work. */
export const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

/** argv of a verb of ours: machine output, no progress bars. */
export const ours = (verb, ...args) => ["node", CLI, verb, ...args, "--json", "--no-progress"];

/** A check for our verbs: null when the verdict is proven, else what went wrong. */
export function proven(result) {
  try {
    const json = JSON.parse(result.stdout);
    return json.verdict === "proven" ? null : `verdict ${json.verdict}`;
  } catch {
    return "no JSON result on stdout";
  }
}

/** The built CLI; another engineer may be rebuilding dist/, so wait a little for it. */
export async function waitForCLI() {
  for (let waited = 0; !existsSync(CLI); waited += 10) {
    if (waited >= 300)
      throw new Error(`${CLI} is missing: run \`npm run build\` (or \`npm ci\`) first`);
    if (waited === 0) log(`waiting for ${CLI} (dist/ may be being rebuilt)...`);
    await sleep(10_000);
  }
}

/** run() and compare(), with `work` as the working directory of every command. */
export function createRunner(work) {
  /** A command whose failure stops the benchmark; retried when dist/ was being rebuilt. */
  async function run(label, argv, { check = () => null } = {}) {
    for (let attempt = 1; ; attempt++) {
      const result = await measure(argv, { cwd: work, scratch: work });
      const problem = result.exitCode === 0 ? check(result) : `exit code ${result.exitCode}`;
      if (problem === null) return result;
      const rebuilding =
        !existsSync(CLI) || /ERR_MODULE_NOT_FOUND|Cannot find module/.test(result.stderr);
      if (rebuilding && attempt < 3) {
        log(`  ${label}: dist/ seems to be being rebuilt; waiting, then trying again`);
        await waitForCLI();
        await sleep(15_000);
        continue;
      }
      const output = `${result.stderr}\n${result.stdout}`.trim().slice(-3000);
      throw new Error(`${label} failed (${problem}): ${argv.join(" ")}\n${output}`);
    }
  }

  /**
   * Times our command and its baselines on the same bytes: one untimed warm-up round, then
   * `runs` rounds of ours and the baselines in turn, so drift hits all of them alike. `prepare`
   * runs untimed before and after every command (to empty a restore target). Returns, for each
   * command, the median seconds and CPU and the highest peak RSS of the timed runs.
   */
  async function compare({ title, ours: ourCommand, baselines, runs, prepare = () => {} }) {
    log(`\n${title} (load average ${loadAverage()})`);
    const commands = [{ label: "recoverable", ...ourCommand }, ...baselines];
    const samples = commands.map(() => []);
    for (let turn = 0; turn <= runs; turn++) {
      const shown = [];
      for (const [index, command] of commands.entries()) {
        prepare();
        const result = await run(`${title}: ${command.label}`, command.argv, command);
        if (turn > 0) samples[index].push(result);
        shown.push(`${command.label} ${seconds(result.seconds)}${cpu(result)}`);
      }
      prepare();
      log(`  ${turn === 0 ? "warm-up" : `run ${turn}/${runs}`}  ${shown.join(" | ")}`);
    }
    return commands.map((command, index) => ({
      label: command.label,
      baseline: command.baseline,
      seconds: median(samples[index].map((r) => r.seconds)),
      cpuPercent: Math.round(median(samples[index].map((r) => r.cpuPercent ?? 0))),
      peakRssMiB: Math.max(...samples[index].map((r) => r.peakRssMiB ?? 0)),
    }));
  }

  return { run, compare };
}
