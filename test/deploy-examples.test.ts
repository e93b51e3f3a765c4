// The deployment examples of docs/examples/ (docs/deploy.md), checked for real where this
// machine can and by structure where it cannot: every `recoverable` command line in them names
// verbs and flags the CLI has; the new examples' command lines run against the bundled example
// with their paths mapped to temp dirs (a GitHub Actions run of the drill and the gate, the
// CronJob's container, the systemd service's ExecStart, the image built by the Dockerfile);
// the systemd units pass `systemd-analyze verify` when it is installed. No Docker engine runs
// here, so the Dockerfile's stages are carried out by a small interpreter of its instructions.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { load, loadAll } from "js-yaml";
import { describe, expect, it } from "vitest";
import { cleanEnv } from "./helpers/clean-env.js";
import { CLI, runCLI, type CLIRun } from "./helpers/cli.js";
import {
  createDockerignore,
  execForm,
  parseCopy,
  parseDockerfile,
  substitute,
  type Stage,
} from "./helpers/dockerfile.js";
import { recoverableInvocations, shellCommands, type Expansions } from "./helpers/shell-words.js";
import { makeTempDir } from "./helpers/temp-dir.js";
import { GITHUB_EXPRESSION, playWorkflow, type Workflow } from "./helpers/workflow-runner.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const EXAMPLES = join(REPO, "docs", "examples");
const example = (name: string) => readFileSync(join(EXAMPLES, name), "utf8");

// ---------------------------------------------------------------------------------------------
// Shared: the CLI's verbs and flags, a container-like root with the example in it, file trees.

const helpFlags = new Map<string, Set<string>>();

/** The flags `recoverable <verb> --help` lists (and fails the test when the verb is unknown). */
function flagsOf(verb: readonly string[]): Set<string> {
  const key = verb.join(" ");
  const known = helpFlags.get(key);
  if (known) return known;
  const help = runCLI([...verb, "--help"]);
  if (help.code !== 0 || !help.stdout.startsWith(`Usage: recoverable ${key}`.trimEnd()))
    throw new Error(`recoverable ${key}: not a verb of the CLI\n${help.stdout}${help.stderr}`);
  const flags = new Set<string>();
  for (const line of help.stdout.split("\n"))
    if (/^\s+-/.test(line))
      for (const match of (line.trim().split(/\s{2,}/)[0] ?? "").matchAll(/--?[a-zA-Z][\w-]*/g))
        flags.add(match[0]);
  helpFlags.set(key, flags);
  return flags;
}

/** What is wrong with one invocation's verb and flags (empty when nothing). */
function checkInvocation(argv: readonly string[]): string[] {
  const first = argv[0] ?? "";
  const verb = first.startsWith("-")
    ? []
    : first === "report" || first === "snapshots"
      ? argv.slice(0, 2)
      : argv.slice(0, 1);
  const flags = flagsOf(verb);
  return argv
    .slice(verb.length)
    .filter((word) => word.startsWith("-"))
    .map((word) => word.split("=")[0] ?? word)
    .filter((flag) => !flags.has(flag))
    .map((flag) => `recoverable ${verb.join(" ")}: no flag ${flag} (in: ${argv.join(" ")})`);
}

/** Expansions that stand for any value: for checking flags, not for running. */
const ANY_VALUE: Expansions = { variable: () => "1", command: () => "1" };

/** A container's or a host's file system, rooted in a temp dir; the example at /srv/atlas. */
function createRoot(): { root: string; at: (path: string) => string } {
  const root = makeTempDir("recoverable-root-");
  const at = (path: string) => join(root, path);
  cpSync(join(REPO, "ops"), at("/srv/atlas/ops"), { recursive: true });
  // The example service imports better-sqlite3: an image of the release would hold it.
  symlinkSync(join(REPO, "node_modules"), at("/srv/atlas/node_modules"), "dir");
  return { root, at };
}

/** A fresh Ed25519 key pair made by the CLI: [drill.key, drill.pub] as PEM text. */
function keyPair(): [string, string] {
  const dir = makeTempDir("recoverable-keys-");
  const made = runCLI(["keygen", "--out", dir]);
  if (made.code !== 0) throw new Error(`keygen failed: ${made.stderr}`);
  return [
    readFileSync(join(dir, "drill.key"), "utf8"),
    readFileSync(join(dir, "drill.pub"), "utf8"),
  ];
}

/** Every file, directory and symlink under `dir`, with what changes when it is written. */
function treeOf(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      const stat = lstatSync(full);
      const rel = relative(dir, full);
      if (stat.isSymbolicLink()) entries.set(rel, `-> ${readlinkSync(full)}`);
      else if (stat.isDirectory()) {
        entries.set(rel, "dir");
        walk(full);
      } else entries.set(rel, `${stat.size} ${stat.mtimeMs}`);
    }
  };
  walk(dir);
  return entries;
}

function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => before.get(p) !== after.get(p)).sort();
}

const passed = (run: CLIRun, what: string) => {
  expect(run.code, `${what}\n${run.stdout}\n${run.stderr}`).toBe(0);
};

// ---------------------------------------------------------------------------------------------

type K8sContainer = {
  name: string;
  image: string;
  workingDir?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
};
type K8sPodSpec = {
  restartPolicy: string;
  securityContext?: Record<string, unknown>;
  containers: K8sContainer[];
  volumes: ({ name: string } & Record<string, unknown>)[];
};

/** The invocations of `recoverable` in one example file, found as its format says. */
function invocationsIn(file: string, expand: Expansions = ANY_VALUE): string[][] {
  const text = example(file);
  if (file.endsWith(".yml") || file.endsWith(".yaml")) {
    const fromComments = commentInvocations(text, expand);
    const documents = loadAll(text) as Record<string, unknown>[];
    const document = documents[0] ?? {};
    if ("jobs" in document) {
      const workflow = document as Workflow;
      return Object.values(workflow.jobs).flatMap((job) =>
        job.steps.flatMap((step) =>
          step.run === undefined
            ? []
            : recoverableInvocations(step.run.replace(GITHUB_EXPRESSION, "1"), expand),
        ),
      );
    }
    return [
      ...podSpecOf(document).containers.flatMap((c) => containerInvocations(c, expand)),
      ...fromComments,
    ];
  }
  if (file.endsWith(".service"))
    return [...text.matchAll(/^ExecStart=(.*)$/gm)].flatMap((m) =>
      recoverableInvocations(m[1] ?? "", expand),
    );
  if (file === "Dockerfile") {
    const runtime = parseDockerfile(text).stages.at(-1);
    const find = (keyword: string) => runtime?.instructions.find((i) => i.keyword === keyword);
    const command = [...(execForm(find("ENTRYPOINT")) ?? []), ...(execForm(find("CMD")) ?? [])];
    const afterInit = command[0] === "tini" && command[1] === "--" ? command.slice(2) : command;
    return afterInit[0] === "recoverable" ? [afterInit.slice(1)] : [];
  }
  return [];
}

/** The `recoverable` command lines of a file's `#` comments (continued with a backslash). */
function commentInvocations(text: string, expand: Expansions): string[][] {
  const lines = text.split("\n").map((l) => /^#\s+(.*)$/.exec(l)?.[1] ?? null);
  const found: string[][] = [];
  lines.forEach((line, i) => {
    if (line === null || !line.startsWith("recoverable ")) return;
    let joined = line;
    for (let next = i + 1; joined.endsWith("\\") && lines[next] !== null; next++)
      joined = `${joined.slice(0, -1)} ${lines[next] ?? ""}`;
    found.push(...recoverableInvocations(joined, expand));
  });
  return found;
}

/**
 * The container's volumes as directories beside `root` (one per volume; a mount is a symlink to
 * it, or to its subPath), so what a run writes to a mount is seen as written to the volume.
 */
function mountVolumes(container: K8sContainer, root: string, at: (path: string) => string): string {
  const volumes = join(root, "..", `${relative(dirname(root), root)}-volumes`);
  for (const mount of container.volumeMounts ?? []) {
    const source = join(volumes, mount.name, mount.subPath ?? "");
    mkdirSync(source, { recursive: true });
    mkdirSync(dirname(at(mount.mountPath)), { recursive: true });
    symlinkSync(source, at(mount.mountPath), "dir");
  }
  return volumes;
}

function podSpecOf(document: Record<string, unknown>): K8sPodSpec {
  const spec = document["spec"] as Record<string, unknown>;
  const job =
    document["kind"] === "CronJob"
      ? ((spec["jobTemplate"] as Record<string, unknown>)["spec"] as Record<string, unknown>)
      : spec;
  return (job["template"] as { spec: K8sPodSpec }).spec;
}

/** A container's invocations: its argv, or the script of `sh -c`. */
function containerInvocations(container: K8sContainer, expand: Expansions): string[][] {
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  if (argv[0]?.endsWith("sh") && argv[1] === "-c")
    return recoverableInvocations(argv[2] ?? "", expand);
  return argv[0]?.endsWith("recoverable") ? [argv.slice(1)] : [];
}

describe("every recoverable command line in docs/examples", () => {
  const files = readdirSync(EXAMPLES, { recursive: true, encoding: "utf8" }).filter((f) =>
    statSync(join(EXAMPLES, f)).isFile(),
  );

  it("is found: each example file holds at least one", () => {
    for (const file of files.filter((f) => !f.endsWith(".timer") && !f.endsWith(".dockerignore")))
      expect(invocationsIn(file).length, file).toBeGreaterThan(0);
  });

  it("names a verb and only flags that `recoverable <verb> --help` lists", () => {
    const problems = files.flatMap((file) =>
      invocationsIn(file).flatMap((argv) => checkInvocation(argv).map((p) => `${file}: ${p}`)),
    );
    expect(problems).toEqual([]);
  });

  it("is refused by the same check when a flag does not exist (the check can fail)", () => {
    expect(checkInvocation(["drill", "--source", "dir:x", "--sauce", "y"])).toEqual([
      "recoverable drill: no flag --sauce (in: drill --source dir:x --sauce y)",
    ]);
    expect(() => checkInvocation(["dril", "--source", "dir:x"])).toThrow(/not a verb/);
  });
});

// ---------------------------------------------------------------------------------------------

describe("docs/examples/github-actions-drill.yml", () => {
  const workflow = load(example("github-actions-drill.yml")) as Workflow;

  it("drills on a schedule, on a published release and by hand, and gates after the drill and on pull requests", () => {
    const schedule = workflow.on["schedule"] as { cron: string }[];
    expect(schedule[0]?.cron).toMatch(/^(\S+\s+){4}\S+$/);
    expect(workflow.on["release"]).toEqual({ types: ["published"] });
    expect(workflow.on).toHaveProperty("workflow_dispatch");
    expect(workflow.on).toHaveProperty("pull_request");
    expect(Object.keys(workflow.jobs)).toEqual(["drill", "gate"]);
    expect(workflow.jobs["gate"]?.needs).toBe("drill");
    // The JUnit report becomes a check run, which needs this permission and no other write.
    expect(workflow.permissions).toEqual({ contents: "read", actions: "read", checks: "write" });
    for (const job of Object.values(workflow.jobs))
      for (const step of job.steps)
        if (step.uses !== undefined) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
  });

  it("runs, for a release, its drill (summary, JUnit, signed report uploaded) and then its gate on the downloaded report", () => {
    const [privateKey, publicKey] = keyPair();
    const played = playWorkflow(workflow, {
      event: "release",
      values: {
        "secrets.RECOVERABLE_DRILL_KEY": privateKey,
        "vars.RECOVERABLE_DRILL_PUB": publicKey,
        "vars.RECOVERABLE_BACKUP": "dir:ops/store",
        "secrets.RESTIC_PASSWORD": "",
        "secrets.AWS_ACCESS_KEY_ID": "",
        "secrets.AWS_SECRET_ACCESS_KEY": "",
      },
      checkout: () => createRoot().at("/srv/atlas"),
      passed,
    });
    expect(played.ran).toEqual([
      "drill: actions/checkout",
      "drill: actions/setup-node",
      "drill: skipped npm",
      "drill: skipped sudo",
      "drill: recoverable drill",
      "drill: actions/upload-artifact",
      "drill: mikepenz/action-junit-report",
      "gate: actions/checkout",
      "gate: actions/setup-node",
      "gate: skipped npm",
      "gate: bash",
      "gate: actions/download-artifact",
      "gate: recoverable gate",
    ]);
    // The drill wrote its Markdown summary into the job summary.
    expect(readFileSync(played.summary, "utf8")).toMatch(/atlas-2026\.11\.1/);
  });
});

describe("docs/examples/github-actions-shards.yml", () => {
  const workflow = load(example("github-actions-shards.yml")) as Workflow;

  it("runs its 4 shard jobs and the merge on their artifacts, with the keys from a secret and a variable only: the merged report is proven", () => {
    const [privateKey, publicKey] = keyPair();
    const played = playWorkflow(workflow, {
      event: "schedule",
      values: {
        "secrets.RECOVERABLE_DRILL_KEY": privateKey,
        "vars.RECOVERABLE_DRILL_PUB": publicKey,
      },
      // A checkout has no .recoverable/: keys made by keygen are git-ignored.
      checkout: () => createRoot().at("/srv/atlas"),
      passed,
    });
    const shard = ["actions/checkout", "actions/setup-node", "skipped npm", "recoverable verify"];
    expect(played.ran).toEqual([
      ...[1, 2, 3, 4].flatMap(() =>
        [...shard, "actions/upload-artifact"].map((r) => `shard: ${r}`),
      ),
      "merge: actions/checkout",
      "merge: actions/setup-node",
      "merge: skipped npm",
      "merge: actions/download-artifact",
      "merge: bash",
      "merge: recoverable report merge",
      "merge: actions/upload-artifact",
    ]);
    const merged = JSON.parse(
      readFileSync(join(played.artifacts.get("merged-report") ?? "", "merged-report.json"), "utf8"),
    ) as { verdict: string };
    expect(merged.verdict).toBe("proven");
  }, 180_000);
});

// ---------------------------------------------------------------------------------------------

describe("docs/examples/kubernetes-cronjob.yaml", () => {
  const document = load(example("kubernetes-cronjob.yaml")) as Record<string, unknown>;
  const pod = podSpecOf(document);
  const container = pod.containers[0] as K8sContainer;

  it("is a CronJob that never overlaps, fails at once on exit 1 and 2, and retries only exit 3", () => {
    expect(document).toMatchObject({ apiVersion: "batch/v1", kind: "CronJob" });
    const spec = document["spec"] as Record<string, unknown>;
    expect(spec["schedule"]).toMatch(/^(\S+\s+){4}\S+$/);
    expect(spec["concurrencyPolicy"]).toBe("Forbid");
    const job = (spec["jobTemplate"] as { spec: Record<string, unknown> }).spec;
    expect(job["podFailurePolicy"]).toEqual({
      rules: [
        {
          action: "FailJob",
          onExitCodes: { containerName: container.name, operator: "In", values: [1, 2] },
        },
      ],
    });
    // A pod failure policy needs restartPolicy Never.
    expect(pod.restartPolicy).toBe("Never");
    expect(pod.containers).toHaveLength(1);
  });

  it("runs as the image's unprivileged user on a read-only root file system, every mount backed by a volume", () => {
    const dockerUser = parseDockerfile(example("Dockerfile"))
      .stages.at(-1)
      ?.instructions.filter((i) => i.keyword === "USER")
      .at(-1)?.args;
    // uid 1000 is the node user of the node images the Dockerfile runs as.
    expect(dockerUser).toBe("node");
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    const volumes = new Map(pod.volumes.map((v) => [v.name, v]));
    for (const mount of container.volumeMounts ?? [])
      expect(volumes.has(mount.name), mount.name).toBe(true);
    const kinds = (container.volumeMounts ?? []).map((m) => [
      m.mountPath,
      Object.keys(volumes.get(m.name) ?? {}).find((k) => k !== "name"),
    ]);
    expect(kinds).toEqual([
      ["/keys", "secret"],
      ["/scratch", "emptyDir"],
      ["/reports", "persistentVolumeClaim"],
      ["/srv/atlas/.recoverable/state", "persistentVolumeClaim"],
    ]);
  });

  it("runs its container's command against the example: proven, the report on the volume, nothing written outside the mounts", () => {
    const { root, at } = createRoot();
    const [privateKey] = keyPair();
    const volumes = mountVolumes(container, root, at);
    writeFileSync(at("/keys/drill.key"), privateKey, { mode: 0o400 });
    const env: Record<string, string> = {};
    for (const variable of container.env ?? []) env[variable.name] = variable.value ?? "";
    // The backup the example can reach, instead of the S3 repository.
    env["BACKUP_SOURCE"] = "dir:ops/store";
    env["TMPDIR"] = at(env["TMPDIR"] ?? "/tmp");
    const containerPaths = (container.volumeMounts ?? []).map((m) => m.mountPath);
    containerPaths.push(container.workingDir ?? "/");
    const mapped = (word: string) =>
      containerPaths.some((p) => word === p || word.startsWith(`${p}/`)) ? at(word) : word;
    const invocations = containerInvocations(container, {
      variable: (name) => {
        const value = env[name];
        if (value === undefined) throw new Error(`$${name} is not set in the container`);
        return value;
      },
      command: (text) => {
        expect(text).toBe("date -u +%Y%m%dT%H%M%SZ");
        return "20261126T032300Z";
      },
    });
    expect(invocations).toHaveLength(1);
    const image = at(container.workingDir ?? "/");
    const before = treeOf(image);
    const run = runCLI((invocations[0] ?? []).map(mapped), { cwd: image, env });
    passed(run, "the CronJob's drill");
    expect(run.json()).toMatchObject({ verb: "drill", verdict: "proven" });
    expect(
      existsSync(join(volumes, "data", "reports", "20261126T032300Z", "drill-report.dsse.json")),
    ).toBe(true);
    expect(existsSync(join(volumes, "data", "state", "high-water.json"))).toBe(true);
    expect(readdirSync(join(volumes, "scratch"))).toEqual([]);
    expect(changedPaths(before, treeOf(image))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("docs/examples/kubernetes-indexed-job.yaml", () => {
  const documents = loadAll(example("kubernetes-indexed-job.yaml")) as Record<string, unknown>[];
  const job = documents.find((d) => d["kind"] === "Job") ?? {};
  const spec = job["spec"] as Record<string, unknown>;
  const pod = podSpecOf(job);
  const container = pod.containers[0] as K8sContainer;
  const claimOf = (volume: string) =>
    (pod.volumes.find((v) => v.name === volume)?.["persistentVolumeClaim"] ?? {}) as {
      claimName?: string;
    };

  it("is an Indexed Job of as many pods as shards, all running at once", () => {
    expect(job).toMatchObject({ apiVersion: "batch/v1", kind: "Job" });
    expect(spec).toMatchObject({ completionMode: "Indexed", completions: 4, parallelism: 4 });
    expect(container.args?.join(" ")).toContain('--shard "$((JOB_COMPLETION_INDEX + 1))/4"');
  });

  it("fails a shard's index at once on exit 1 (not proven) and 2, retries only exit 3, each index on its own", () => {
    expect(spec["podFailurePolicy"]).toEqual({
      rules: [
        {
          action: "FailIndex",
          onExitCodes: { containerName: container.name, operator: "In", values: [1, 2] },
        },
      ],
    });
    // FailIndex needs a per-index backoff limit; a Job-wide one would let one index use it up.
    expect(spec["backoffLimitPerIndex"]).toBeGreaterThan(0);
    expect(spec).not.toHaveProperty("backoffLimit");
    expect(pod.restartPolicy).toBe("Never");
  });

  it("writes the shard reports to a ReadWriteMany claim and reads the store read-only", () => {
    const claim = documents.find(
      (d) =>
        d["kind"] === "PersistentVolumeClaim" &&
        (d["metadata"] as { name?: string }).name === claimOf("reports").claimName,
    );
    expect(claim?.["spec"]).toMatchObject({ accessModes: ["ReadWriteMany"] });
    const store = container.volumeMounts?.find((m) => m.mountPath === "/srv/atlas/store");
    expect(store?.readOnly).toBe(true);
  });

  it("runs its 4 pods against the example and then the merge its comment gives: the merged report is proven", () => {
    const { root, at } = createRoot();
    const [privateKey, publicKey] = keyPair();
    const volumes = mountVolumes(container, root, at);
    // The store's mount is the store itself: verify refuses a store root that is a symlink.
    rmSync(at("/srv/atlas/store"));
    cpSync(at("/srv/atlas/ops/store"), at("/srv/atlas/store"), { recursive: true });
    writeFileSync(at("/keys/drill.key"), privateKey, { mode: 0o400 });
    writeFileSync(at("/keys/drill.pub"), publicKey);
    const mapped = (word: string) => (word.startsWith("/") ? at(word) : word);
    for (const index of [0, 1, 2, 3]) {
      const [argv] = containerInvocations(container, {
        variable: (name) => {
          throw new Error(`$${name} is not set in the container`);
        },
        command: (text) => {
          expect(text).toBe("(JOB_COMPLETION_INDEX + 1)");
          return String(index + 1);
        },
      });
      const run = runCLI((argv ?? []).map(mapped), { cwd: at(container.workingDir ?? "/") });
      passed(run, `the Indexed Job's pod ${index}`);
    }
    const [merge] = commentInvocations(example("kubernetes-indexed-job.yaml"), ANY_VALUE);
    expect(merge?.slice(0, 2)).toEqual(["report", "merge"]);
    const reports = readdirSync(join(volumes, "reports")).filter((f) => f.endsWith(".dsse.json"));
    const envelopes = reports.map((f) => join(volumes, "reports", f));
    const rest = (merge ?? []).slice(3).map(mapped);
    const run = runCLI(["report", "merge", ...envelopes, ...rest, "--json"], {
      cwd: at(container.workingDir ?? "/"),
    });
    passed(run, "the merge of the Indexed Job's shard reports");
    expect(run.json()).toMatchObject({ verb: "report merge", verdict: "proven" });
  }, 180_000);
});

describe("the Node.js lines the examples name", () => {
  // Node.js release schedule (nodejs.org/en/about/previous-releases): LTS lines and their end.
  const LTS_END_OF_LIFE: Record<string, string> = {
    "22": "2027-04-30",
    "24": "2028-04-30",
  };

  it("are LTS lines within their support: a line past its end of life fails this test", () => {
    const named = [
      ...["github-actions-drill.yml", "github-actions-shards.yml"].flatMap((file) =>
        [...example(file).matchAll(/node-version: (\S+)/g)].map((m) => [file, m[1] ?? ""]),
      ),
      ...[...example("Dockerfile").matchAll(/node:(\d+)-/g)].map((m) => ["Dockerfile", m[1] ?? ""]),
    ];
    expect(named.length).toBeGreaterThanOrEqual(5);
    for (const [file, line] of named) {
      const end = LTS_END_OF_LIFE[line ?? ""];
      expect(end, `${file}: Node.js ${line} is not an LTS line this test knows`).toBeDefined();
      expect(Date.parse(end ?? ""), `${file}: Node.js ${line} ended ${end}`).toBeGreaterThan(
        Date.now(),
      );
    }
  });
});

// ---------------------------------------------------------------------------------------------

/** The settings of a systemd unit file: section -> key -> values, in order. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | null = null;
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) continue;
    const section = /^\[(.+)\]$/.exec(trimmed);
    if (section) {
      current = new Map();
      sections.set(section[1] ?? "", current);
      continue;
    }
    const [key, ...value] = trimmed.split("=");
    if (current === null || key === undefined) throw new Error(`not in a section: ${line}`);
    current.set(key, [...(current.get(key) ?? []), value.join("=")]);
  }
  return sections;
}

describe("docs/examples/systemd", () => {
  const serviceText = example("systemd/recoverable-drill.service");
  const service = parseUnit(serviceText);
  const timer = parseUnit(example("systemd/recoverable-drill.timer"));
  const setting = (unit: typeof service, section: string, key: string) =>
    unit.get(section)?.get(key) ?? [];

  it("pairs a oneshot service, as an unprivileged user, with a persistent timer", () => {
    expect(setting(service, "Service", "Type")).toEqual(["oneshot"]);
    expect(setting(service, "Service", "User")).toEqual(["recoverable"]);
    expect(setting(service, "Service", "ProtectSystem")).toEqual(["strict"]);
    expect(setting(timer, "Timer", "Persistent")).toEqual(["true"]);
    expect(setting(timer, "Timer", "OnCalendar")).toHaveLength(1);
    // A timer starts the service of its own name unless Unit= says otherwise.
    expect(setting(timer, "Timer", "Unit")).toEqual([]);
    expect(setting(timer, "Install", "WantedBy")).toEqual(["timers.target"]);
    expect(service.has("Install")).toBe(false);
  });

  const analyze = spawnSync("systemd-analyze", ["--version"], { encoding: "utf8" });
  it.skipIf(analyze.status !== 0)(
    "passes `systemd-analyze verify` (with ExecStart pointed at this build), and its OnCalendar parses",
    () => {
      const dir = makeTempDir("recoverable-units-");
      writeFileSync(
        join(dir, "recoverable-drill.service"),
        serviceText.replace(/^ExecStart=\S+/m, `ExecStart=${CLI}`),
      );
      cpSync(
        join(EXAMPLES, "systemd", "recoverable-drill.timer"),
        join(dir, "recoverable-drill.timer"),
      );
      const verify = spawnSync(
        "systemd-analyze",
        ["verify", "--man=no", "recoverable-drill.service", "recoverable-drill.timer"],
        { cwd: dir, encoding: "utf8" },
      );
      expect(verify.stdout + verify.stderr).toBe("");
      expect(verify.status).toBe(0);
      const calendar = spawnSync(
        "systemd-analyze",
        ["calendar", setting(timer, "Timer", "OnCalendar")[0] ?? ""],
        { encoding: "utf8" },
      );
      expect(calendar.status, calendar.stderr).toBe(0);
    },
  );

  it("runs its ExecStart against the example: proven, writing only in ReadWritePaths and its cache directory", () => {
    const { at } = createRoot();
    const [privateKey] = keyPair();
    const [credentialName, credentialSource] = (
      setting(service, "Service", "LoadCredential")[0] ?? ""
    ).split(":");
    expect(credentialSource).toBe("/etc/recoverable/drill.key");
    const credentials = at("/run/credentials/recoverable-drill.service");
    mkdirSync(credentials, { recursive: true });
    writeFileSync(join(credentials, credentialName ?? ""), privateKey, { mode: 0o400 });
    const cache = at(`/var/cache/${setting(service, "Service", "CacheDirectory")[0] ?? ""}`);
    mkdirSync(cache, { recursive: true });
    const writable = setting(service, "Service", "ReadWritePaths").flatMap((v) => v.split(/\s+/));
    for (const path of writable) mkdirSync(at(path), { recursive: true }); // install -d
    const env: Record<string, string> = {
      CREDENTIALS_DIRECTORY: credentials,
      CACHE_DIRECTORY: cache,
    };
    for (const assignment of setting(service, "Service", "Environment")) {
      const [name, ...value] = assignment.split("=");
      env[name ?? ""] = value.join("=");
    }
    expect(env["BACKUP_SOURCE"]).toMatch(/^restic:/);
    env["BACKUP_SOURCE"] = "dir:ops/store"; // the backup the example can reach
    const execStart = setting(service, "Service", "ExecStart")[0] ?? "";
    const [command] = shellCommands(execStart, {
      variable: (name) => {
        const value = env[name];
        if (value === undefined) throw new Error(`ExecStart: $${name} is not set`);
        return value;
      },
      command: () => {
        throw new Error("systemd does not run $(...)");
      },
    });
    expect(command?.words[0]).toBe("/usr/local/bin/recoverable");
    const home = at(setting(service, "Service", "WorkingDirectory")[0] ?? "/");
    const before = treeOf(home);
    passed(runCLI(command?.words.slice(1) ?? [], { cwd: home, env }), "ExecStart");
    const changed = changedPaths(before, treeOf(home)).map((p) => `/srv/atlas/${p}`);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.filter((p) => !writable.some((w) => p === w || p.startsWith(`${w}/`)))).toEqual(
      [],
    );
    expect(readdirSync(cache)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("docs/examples/Dockerfile", () => {
  const dockerfile = parseDockerfile(example("Dockerfile"));
  const ignored = createDockerignore(example("Dockerfile.dockerignore"));
  const [build, runtime] = dockerfile.stages as [Stage, Stage];
  const all = (stage: Stage, keyword: string) =>
    stage.instructions.filter((i) => i.keyword === keyword);

  const installs = (stage: Stage) =>
    all(stage, "RUN")
      .map((i) => substitute(i.args, { RUNTIME_PACKAGES: argDefault(stage, "RUNTIME_PACKAGES") }))
      .join(" ");

  it("builds in one stage from node:24-bookworm-slim and runs in another, without a compiler, as the node user", () => {
    expect(dockerfile.stages.map((s) => [s.base, s.name])).toEqual([
      ["node:24-bookworm-slim", "build"],
      ["node:24-bookworm-slim", "runtime"],
    ]);
    expect(installs(build)).toMatch(/apt-get install .*\bg\+\+/);
    expect(installs(runtime)).not.toMatch(/\b(g\+\+|gcc|make|python3)\b/);
    expect(all(runtime, "USER").at(-1)?.args).toBe("node");
    const user = runtime.instructions.findIndex((i) => i.keyword === "USER");
    const entrypoint = runtime.instructions.findIndex((i) => i.keyword === "ENTRYPOINT");
    expect(user).toBeGreaterThanOrEqual(0);
    expect(user).toBeLessThan(entrypoint);
  });

  it("installs what a drill of the example runs besides Node: PostgreSQL's programs (without a cluster of their own) and restic", () => {
    const packages = /apt-get install -y --no-install-recommends (.*?) &&/.exec(
      installs(runtime),
    )?.[1];
    // Debian's postgresql brings initdb, pg_ctl and postgres (in /usr/lib/postgresql/<n>/bin,
    // where recoverable looks) and pg_restore and psql (postgresql-client).
    expect(packages?.split(/\s+/)).toEqual(
      expect.arrayContaining(["postgresql", "restic", "ca-certificates"]),
    );
    expect(installs(runtime)).toMatch(
      /echo "create_main_cluster = false" > \/etc\/postgresql-common\/createcluster\.d\/\S+\.conf .*apt-get install/,
    );
  });

  it("runs recoverable under tini as PID 1, which reaps what the drill starts and hands on SIGTERM", () => {
    expect(installs(runtime)).toMatch(/apt-get install -y --no-install-recommends tini /);
    expect(execForm(all(runtime, "ENTRYPOINT")[0])).toEqual(["tini", "--", "recoverable"]);
    expect(execForm(all(runtime, "CMD")[0])).toEqual(["--help"]);
  });

  function argDefault(stage: Stage, name: string): string {
    const arg = all(stage, "ARG").find((i) => i.args.startsWith(`${name}=`));
    return (arg?.args.slice(name.length + 1) ?? "").replace(/^"(.*)"$/, "$1");
  }

  it("copies only what exists in the build context and what its .dockerignore lets through; keys, builds and reports stay out", () => {
    for (const stage of dockerfile.stages)
      for (const copy of all(stage, "COPY").map(parseCopy))
        if (copy.from === null)
          for (const source of copy.sources) {
            const path = source.replace(/\/+$/, "");
            expect(existsSync(join(REPO, path)), `COPY ${source}`).toBe(true);
            expect(ignored(path), `COPY ${source} is in .dockerignore`).toBe(false);
          }
    for (const kept of [
      "node_modules/commander/package.json",
      "dist/index.js",
      "native/rename-exchange/build/Release/rename_exchange.node",
      ".recoverable/keys/drill.key",
      ".git/config",
      "test/verify.test.ts",
      "ops/store/catalog.json",
      "bench/out/x.json",
      ".env",
    ])
      expect(ignored(kept), kept).toBe(true);
    expect(ignored("src/index.ts")).toBe(false);
    expect(ignored("native/rename-exchange/rename_exchange.c")).toBe(false);
  });

  it("when its stages are carried out here (no Docker engine), builds an image whose ENTRYPOINT verifies and drills the example (its service finding better-sqlite3 through /node_modules), and shows help by default", () => {
    const roots = new Map<string, string>();
    for (const stage of dockerfile.stages) {
      const root = makeTempDir(`recoverable-stage-${stage.name ?? ""}-`);
      roots.set(stage.name ?? "", root);
      let workdir = "/";
      const at = (path: string) => join(root, path.startsWith("/") ? path : join(workdir, path));
      for (const instruction of stage.instructions) {
        const what = `Dockerfile line ${instruction.line}: ${instruction.keyword} ${instruction.args}`;
        if (instruction.keyword === "WORKDIR") {
          workdir = instruction.args;
          mkdirSync(at(workdir), { recursive: true });
        } else if (instruction.keyword === "COPY") {
          const copy = parseCopy(instruction);
          const from = copy.from === null ? REPO : roots.get(copy.from);
          expect(from, `${what}: stage ${copy.from ?? ""} comes first`).toBeDefined();
          for (const source of copy.sources) {
            const origin = join(from ?? "", source);
            const target = copy.destination.endsWith("/")
              ? lstatSync(origin).isDirectory()
                ? at(copy.destination)
                : join(at(copy.destination), source.split("/").at(-1) ?? "")
              : at(copy.destination);
            mkdirSync(dirname(target.replace(/\/+$/, "")), { recursive: true });
            if (lstatSync(origin.replace(/\/+$/, "")).isSymbolicLink())
              // The node_modules the simulated `npm ci` linked (below) stays a link.
              symlinkSync(readlinkSync(origin.replace(/\/+$/, "")), target.replace(/\/+$/, ""));
            else
              cpSync(origin, target, {
                recursive: true,
                filter: (path) =>
                  copy.from !== null ||
                  !ignored(relative(REPO, path).split("\\").join("/")) ||
                  path === REPO,
              });
          }
        } else if (instruction.keyword === "RUN") {
          for (const part of instruction.args.split("&&").map((p) => p.trim()))
            carryOut(part, at, at(workdir), what);
        }
      }
    }
    // The ENTRYPOINT as the image runs it: through tini (when this machine has it) to
    // `recoverable` on the image's PATH, run by this machine's node. The example is in the
    // image's file system, with no node_modules of its own.
    const runtimeRoot = roots.get("runtime") ?? "";
    cpSync(join(REPO, "ops"), join(runtimeRoot, "srv", "atlas", "ops"), { recursive: true });
    const [entry, ...initArgs] = execForm(all(runtime, "ENTRYPOINT")[0]) ?? [];
    const hasTini = spawnSync("tini", ["--version"]).status === 0;
    const image = (args: string[], env: Record<string, string> = {}) => {
      const argv = [...initArgs, ...args];
      return spawnSync(hasTini ? (entry ?? "") : (argv[1] ?? ""), hasTini ? argv : argv.slice(2), {
        cwd: join(runtimeRoot, "srv", "atlas"),
        encoding: "utf8",
        env: cleanEnv({
          PATH: `${join(runtimeRoot, "usr", "local", "bin")}:${process.env["PATH"] ?? ""}`,
          // tini warns when it is not PID 1 unless it registers as a subreaper.
          TINI_SUBREAPER: "1",
          ...env,
        }),
      });
    };
    const verify = image(["verify", "--json"]);
    expect(verify.status, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ verb: "verify", verdict: "proven" });
    const [privateKey] = keyPair();
    const drill = image(
      ["drill", "--source", "dir:ops/store", "--key", "env:RECOVERABLE_DRILL_KEY", "--json"],
      { RECOVERABLE_DRILL_KEY: privateKey },
    );
    expect(drill.status, drill.stdout + drill.stderr).toBe(0);
    expect(JSON.parse(drill.stdout)).toMatchObject({ verb: "drill", verdict: "proven" });
    const help = image(execForm(all(runtime, "CMD")[0]) ?? []);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: recoverable/);
  }, 180_000);
});

/**
 * One command of a RUN, carried out on this machine as far as it can be: system packages and
 * npm's downloads are what this machine already has (the repository's node_modules is linked
 * in), `npm run` runs for real, file commands act on the stage's root. A command the test does
 * not know fails it, so a change to the Dockerfile is a change to this test.
 */
function carryOut(command: string, at: (path: string) => string, cwd: string, what: string): void {
  const words = command.split(/\s+/);
  const [program, sub] = words;
  if (program === "apt-get" || (program === "rm" && command.includes("/var/lib/apt/lists"))) return;
  if (program === "npm" && sub === "ci") {
    for (const file of ["package.json", "package-lock.json"])
      expect(existsSync(join(cwd, file)), `${what}: ${file} is copied before npm ci`).toBe(true);
    symlinkSync(join(REPO, "node_modules"), join(cwd, "node_modules"), "dir");
    return;
  }
  if (program === "npm" && sub === "rebuild") {
    expect(existsSync(join(cwd, "node_modules", words[2] ?? "", "package.json")), what).toBe(true);
    return;
  }
  if (program === "npm" && sub === "prune") return; // the package test proves the production dependencies suffice
  if (program === "npm" && sub === "run") {
    const run = spawnSync("npm", ["run", words[2] ?? ""], {
      cwd,
      encoding: "utf8",
      env: cleanEnv(),
    });
    expect(run.status, `${what}\n${run.stdout}\n${run.stderr}`).toBe(0);
    return;
  }
  if (program === "ln" && sub === "-s") {
    mkdirSync(dirname(at(words[3] ?? "")), { recursive: true });
    symlinkSync(at(words[2] ?? ""), at(words[3] ?? ""));
    return;
  }
  if (program === "mkdir") {
    for (const dir of words.slice(1).filter((w) => w !== "-p"))
      mkdirSync(at(dir), { recursive: true });
    return;
  }
  const echo = /^echo "([^"]*)" > (\S+)$/.exec(command);
  if (echo) {
    mkdirSync(dirname(at(echo[2] ?? "")), { recursive: true });
    writeFileSync(at(echo[2] ?? ""), `${echo[1] ?? ""}\n`);
    return;
  }
  if (program === "chown") return; // ownership is the one thing a test user cannot give away
  throw new Error(`${what}: the test does not know how to carry out \`${command}\``);
}
