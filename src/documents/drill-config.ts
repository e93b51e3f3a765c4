// The drill config (found as src/documents/find-config.ts says), resolved into absolute paths. Its relative paths
// resolve against the directory that holds ops/: the parent of the config's directory when
// that directory is named `ops`, else the config's own directory.
import { basename, dirname, resolve } from "node:path";
import type { ClassifiedFinding } from "../findings/finding.js";
import type { EvidenceFiles } from "./identity-chain.js";
import { atlasPaths } from "./evidence-paths.js";
import { findDrillConfig } from "./find-config.js";
import { loadDocument } from "./load-evidence.js";
import { parseDuration } from "../util/duration.js";
import { NO_POSTGRES_SETTINGS, type PostgresSettings } from "./postgres-settings.js";
import { secretLocation } from "../util/secret-location.js";
import type {
  BackupLocation,
  DrillConfigDocument,
  IdentityRule,
  Probe,
  RoleRule,
  ServiceConfig,
  SQLiteIdentity,
} from "./types.js";

export type DrillConfig = {
  /** The config file, or null when the documented defaults are used. */
  readonly file: string | null;
  readonly baseDir: string;
  readonly storeRoot: string | null;
  readonly catalog: string | null;
  readonly runtimeConfig: string | null;
  readonly evidence: EvidenceFiles;
  readonly roles: readonly RoleRule[];
  /** What the release pins of each artifact, by glob (docs/live-data.md); jsonSchema paths as written. */
  readonly identity: readonly IdentityRule[];
  /** Paths under the store root that are not the store's: never sealed, snapshotted or strays. */
  readonly exclude: readonly string[];
  readonly sqliteIdentity: SQLiteIdentity;
  /** How pg_dump artifacts are restored (docs/postgresql.md). */
  readonly postgres: PostgresSettings;
  readonly probes: readonly Probe[];
  readonly service: ResolvedService | null;
  readonly probeHosts: readonly string[];
  readonly secretHeaders: readonly string[];
  readonly signingKey: string | null;
  /** Where the high-water mark and other state of this store are kept. */
  readonly stateDir: string;
  /** The backups audit looks at (relative paths resolve against baseDir). */
  readonly backups: readonly ConfiguredBackup[];
  /** Where signed drill reports are found, and the public keys trusted to sign them. */
  readonly reportsDir: string;
  readonly trustedKeys: readonly string[];
};

/** A backup of the drill config: a source string, or (source null) a folder of dated archives. */
export type ConfiguredBackup = {
  readonly name: string;
  readonly source: string | null;
  /** The folder (absolute), the glob of names, the date pattern or null for mtimes. */
  readonly archives: {
    readonly dir: string;
    readonly glob: string;
    readonly datePattern: string | null;
  } | null;
  readonly authoritative: boolean;
  readonly location: BackupLocation | null;
  readonly media: string | null;
};

export type ResolvedService = {
  readonly command: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly readinessPath: string;
  readonly readinessTimeoutMs: number;
  readonly stopGraceMs: number;
};

const DEFAULT_STATE_DIR = ".recoverable/state";
const DEFAULT_REPORTS_DIR = "drill-reports";
const DEFAULT_PROBE_HOSTS = ["127.0.0.1", "localhost", "::1"];
const DEFAULT_READINESS_TIMEOUT_MS = 30_000;
const DEFAULT_STOP_GRACE_MS = 5_000;

export type ConfigResult =
  | { readonly ok: true; readonly config: DrillConfig }
  | { readonly ok: false; readonly findings: ClassifiedFinding[] };

/** The defaults when no config file is used: the store and evidence in the Atlas layout of ./ops. */
function defaultDrillConfig(cwd: string): DrillConfig {
  return {
    file: null,
    baseDir: cwd,
    storeRoot: null,
    catalog: null,
    runtimeConfig: null,
    evidence: atlasPaths(resolve(cwd, "ops")),
    roles: [],
    identity: [],
    exclude: [],
    sqliteIdentity: "bytes",
    postgres: NO_POSTGRES_SETTINGS,
    probes: [],
    service: null,
    probeHosts: DEFAULT_PROBE_HOSTS,
    secretHeaders: [],
    signingKey: null,
    stateDir: resolve(cwd, DEFAULT_STATE_DIR),
    backups: [],
    reportsDir: resolve(cwd, DEFAULT_REPORTS_DIR),
    trustedKeys: [],
  };
}

/**
 * Loads the config named by -C or RECOVERABLE_CONFIG (which must exist), or the ops/drill.json
 * found from `cwd` upwards, or the documented defaults when there is none.
 */
export async function loadDrillConfig(
  configFlag: string | undefined,
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConfigResult> {
  const found = await findDrillConfig(configFlag, cwd, env);
  if (found === null) return { ok: true, config: defaultDrillConfig(cwd) };
  const what = found.namedBy === null ? "drill config" : `drill config named by ${found.namedBy}`;
  const loaded = await loadDocument("drillConfig", found.path, what);
  if (loaded.value === null) return { ok: false, findings: loaded.findings };
  return { ok: true, config: resolveDrillConfig(loaded.value, found.path) };
}

function resolveDrillConfig(document: DrillConfigDocument, path: string): DrillConfig {
  const configDir = dirname(path);
  const baseDir = basename(configDir) === "ops" ? dirname(configDir) : configDir;
  const atlas = atlasPaths(resolve(baseDir, "ops"));
  const at = (p: string | undefined, fallback: string): string =>
    p === undefined ? fallback : resolve(baseDir, p);
  return {
    file: path,
    baseDir,
    storeRoot: document.store ? resolve(baseDir, document.store.root) : null,
    catalog: document.store?.catalog ?? null,
    runtimeConfig: document.store?.runtimeConfig ?? null,
    evidence: {
      manifest: at(document.evidence?.manifest, atlas.manifest),
      packet: at(document.evidence?.packet, atlas.packet),
      provenance: at(document.evidence?.provenance, atlas.provenance),
      rollbackPolicy: at(document.evidence?.rollbackPolicy, atlas.rollbackPolicy),
    },
    roles: document.roles ?? [],
    identity: document.identity ?? [],
    exclude: document.exclude ?? [],
    sqliteIdentity: document.sqlite?.identity ?? "bytes",
    postgres: {
      url: document.postgres?.url ?? null,
      bindir:
        document.postgres?.bindir === undefined ? null : resolve(baseDir, document.postgres.bindir),
      roles: document.postgres?.roles ?? [],
    },
    probes: document.probes ?? [],
    service: resolveService(document.service, baseDir),
    probeHosts: document.probeHosts ?? DEFAULT_PROBE_HOSTS,
    secretHeaders: document.secretHeaders ?? [],
    signingKey:
      document.signing?.key === undefined ? null : secretLocation(baseDir, document.signing.key),
    stateDir: resolve(baseDir, document.state?.dir ?? DEFAULT_STATE_DIR),
    backups: (document.backups ?? []).map((b, index, all) => ({
      name: b.name,
      source: b.source ?? null,
      archives:
        b.archives === undefined
          ? null
          : {
              dir: resolve(baseDir, b.archives.dir),
              glob: b.archives.glob,
              datePattern: b.archives.datePattern ?? null,
            },
      authoritative: b.authoritative ?? (index === 0 && !all.some((o) => o.authoritative)),
      location: b.location ?? null,
      media: b.media ?? null,
    })),
    reportsDir: resolve(baseDir, document.reports?.dir ?? DEFAULT_REPORTS_DIR),
    trustedKeys: (document.reports?.trustedKeys ?? []).map((k) => resolve(baseDir, k)),
  };
}

function resolveService(
  service: ServiceConfig | undefined,
  baseDir: string,
): ResolvedService | null {
  if (service === undefined) return null;
  return {
    command: service.command,
    cwd: resolve(baseDir, service.cwd ?? "."),
    env: service.env ?? {},
    readinessPath: service.readiness.path,
    // The schema already checked both are durations.
    readinessTimeoutMs:
      parseDuration(service.readiness.timeout ?? "") ?? DEFAULT_READINESS_TIMEOUT_MS,
    stopGraceMs: parseDuration(service.stopGrace ?? "") ?? DEFAULT_STOP_GRACE_MS,
  };
}
