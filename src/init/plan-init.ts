// The documents `init` proposes for an existing store (pure): the drill config and the rollback
// policy, from what the scan found, and the commands to run next. Everything the tool cannot
// know (the service, the answers the probes expect, the objectives) is a working placeholder
// said in an `x-todo` key: the documents validate and seal as written (docs/decisions.md
// "init").
import { posix } from "node:path";
import type {
  DrillConfigDocument,
  IdentityRule,
  Probe,
  RollbackPolicy,
  RoleRule,
} from "../documents/types.js";
import { datasetNamesOf } from "../seal/dataset-names.js";
import type { FoundDatabase, StoreFacts } from "./scan-store.js";

export type InitPaths = {
  /** The store root, as the drill config names it (relative to baseDir, or absolute). */
  readonly store: string;
  /** The ops directory relative to baseDir ("ops" in the usual layout). */
  readonly ops: string;
  /** The snapshot repository, as the drill config names it: never inside the store root. */
  readonly repository: string;
  /** Extra globs of the store that are not the store's (ops/ or .recoverable/ inside it). */
  readonly exclude: readonly string[];
};

export type ProposedDataset = {
  readonly name: string;
  readonly path: string;
  readonly kind: FoundDatabase["kind"];
  readonly level: IdentityRule["level"];
};

export type InitPlan = {
  readonly drillConfig: DrillConfigDocument & Record<`x-${string}`, unknown>;
  readonly rollbackPolicy: RollbackPolicy & Record<`x-${string}`, unknown>;
  readonly datasets: ProposedDataset[];
  readonly roles: RoleRule[];
  readonly identity: IdentityRule[];
  /** Databases no name tells apart: seal will refuse them until one is renamed or catalogued. */
  readonly collisions: { stem: string; paths: string[] }[];
};

export const SIGNING_KEY = ".recoverable/keys/drill.key";

function rolesOf(facts: StoreFacts): RoleRule[] {
  return [
    ...facts.disposableDirs.map((dir) => ({ pattern: `${dir}/**`, role: "disposable" as const })),
    ...(facts.looseLogs
      ? [
          { pattern: "**/*.log", role: "disposable" as const },
          { pattern: "**/*.tmp", role: "disposable" as const },
        ]
      : []),
  ];
}

/** Live SQLite: its shape and at most 10% fewer rows; other databases and JSON: their content. */
function levelOf(database: FoundDatabase): IdentityRule["level"] {
  return database.live ? "schema" : "content";
}

function identityOf(facts: StoreFacts): IdentityRule[] {
  return [
    ...facts.liveDirs.map((dir) => ({ pattern: `${dir}/**`, level: "present" as const })),
    ...facts.databases.map((d) =>
      levelOf(d) === "schema"
        ? { pattern: d.path, level: "schema" as const, maxShrink: "10%" }
        : { pattern: d.path, level: "content" as const },
    ),
    ...(facts.jsonFiles > 0 ? [{ pattern: "**/*.json", level: "content" as const }] : []),
  ];
}

/** A probe name (lower-case letters, digits, . _ -) from the dataset's name. */
function probeName(dataset: string, index: number): string {
  const name = dataset
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "");
  return `${name || `dataset-${index + 1}`}-query`;
}

function probeOf(dataset: ProposedDataset, index: number): Probe & Record<`x-${string}`, unknown> {
  const query =
    dataset.kind === "sqlite"
      ? "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
      : "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')";
  return {
    name: probeName(dataset.name, index),
    type: "sql",
    dataset: dataset.name,
    query,
    expect: { minRows: 1 },
    "x-todo": `a placeholder that only proves ${dataset.path} opens: ask a question only the real data answers (SELECT count(*) FROM <table>) and put the answer in expect.value`,
  };
}

const SERVICE_TEMPLATE = (dumps: readonly ProposedDataset[]) => ({
  "x-todo":
    'the service under test, once you have one: move "service" to the top level of this file and "probes" into its probes, with your command and readiness path; {store}, {port} and {postgres.url} are replaced when the drill starts it',
  service: {
    command: ["<your service>", "--store", "{store}", "--port", "{port}"],
    ...(dumps.length > 0
      ? {
          env: Object.fromEntries(
            dumps.map((d, i) => [
              i === 0 ? "DATABASE_URL" : `DATABASE_URL_${i + 1}`,
              `{postgres.url:${d.name}}`,
            ]),
          ),
        }
      : {}),
    readiness: { path: "/health", timeout: "30s" },
  },
  probes: [{ name: "ready", type: "http", path: "/health", expect: { status: 200 } }],
});

export function planInit(facts: StoreFacts, paths: InitPaths): InitPlan {
  const { names, collisions } = datasetNamesOf(facts.databases);
  const datasets = facts.databases.flatMap((d) => {
    const name = names.get(d.path);
    return name === undefined ? [] : [{ name, path: d.path, kind: d.kind, level: levelOf(d) }];
  });
  const roles = rolesOf(facts);
  const identity = identityOf(facts);
  const evidence = (p: string) => posix.join(paths.ops, p);
  const drillConfig = {
    $schema: "https://recoverable.dev/schemas/v1/drill-config.schema.json",
    "x-todo":
      "written by recoverable init: check the roles, identity levels and probes, fill in the probes' expected answers, and add your service (x-service-template)",
    schemaVersion: 1 as const,
    store: { root: paths.store },
    evidence: {
      manifest: evidence("release/evidence/manifest.json"),
      packet: evidence("release/packet/packet.json"),
      provenance: evidence("release/provenance.json"),
      rollbackPolicy: evidence("datasets/rollback-policy.json"),
    },
    roles,
    identity,
    ...(paths.exclude.length > 0 ? { exclude: [...paths.exclude] } : {}),
    probes: datasets.map(probeOf),
    "x-service-template": SERVICE_TEMPLATE(datasets.filter((d) => d.kind === "pgdump")),
    signing: { key: SIGNING_KEY },
    backups: [
      {
        name: "local snapshots",
        source: `snapshot:${paths.repository}#latest`,
        authoritative: true,
      },
    ],
    reports: { dir: ".recoverable/reports", trustedKeys: [".recoverable/keys/drill.pub"] },
  };
  const rollbackPolicy = {
    $schema: "https://recoverable.dev/schemas/v1/rollback-policy.schema.json",
    "x-todo":
      "written by recoverable init: set the objectives your recovery must meet (rpo: how much data may be lost, rto: how long a recovery may take), the retention you keep and how often a drill must prove it",
    schemaVersion: 1 as const,
    releases: { versionFloor: "0.0.0", deniedIds: [], maxAge: "3650d", allowDowngrade: false },
    objectives: { rpo: "24h", rto: "1h" },
    retention: { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 },
    drills: { every: "7d", requireSignedReport: true },
  };
  return { drillConfig, rollbackPolicy, datasets, roles, identity, collisions };
}
