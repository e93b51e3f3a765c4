// The documents as typed values, after schema validation (normalise first, then verify).
import type { DigestSet } from "../identity/digest.js";
import type { DrillReport } from "./drill-report.js";

export type Role = "durable" | "reconstructable" | "disposable";
export type ArtifactKind = "sqlite" | "pgdump" | "json" | "file" | "dir";
export type SQLiteIdentity = "bytes" | "content";
/**
 * What the release pins about an artifact (docs/live-data.md): its exact bytes, its content in
 * any layout, its shape (live data), or only that it is there and of its kind.
 */
export type IdentityLevel = "bytes" | "content" | "schema" | "present";

export type TableRows = { readonly name: string; readonly rows: number };

export type SQLiteFacts = {
  readonly contentDigest: DigestSet;
  readonly tables: readonly TableRows[];
  readonly identity: SQLiteIdentity;
};

/** The two pg_dump formats recoverable restores: custom (`-Fc`) and plain SQL (`-Fp`). */
export type PGDumpFormat = "custom" | "plain";
/** Compression around the whole file (a custom dump compresses its data itself). */
export type PGDumpCompression = "none" | "gzip";

/** One table of a restored dump: its row count and the digest of its rows (docs/formats.md). */
export type PGTableFacts = {
  readonly name: string;
  readonly rows: number;
  readonly contentDigest: DigestSet;
};

export type PGDumpFacts = {
  readonly format: PGDumpFormat;
  readonly compression: PGDumpCompression;
  readonly contentDigest: DigestSet;
  readonly tables: readonly PGTableFacts[];
};

/** One column of a table, as the database declares it. */
export type ColumnShape = {
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
  readonly primaryKey: boolean;
};

/** The shape of a database that a `schema` level pins: compared name by name. */
export type DatabaseShape = {
  readonly tables: readonly { readonly name: string; readonly columns: readonly ColumnShape[] }[];
  readonly indexes: readonly {
    readonly name: string;
    readonly table: string;
    readonly unique: boolean;
    readonly columns: readonly string[];
  }[];
  readonly views: readonly { readonly name: string }[];
  readonly triggers: readonly { readonly name: string; readonly table: string }[];
};

/** A bound on a table's rows: at least `min`, and at most `maxShrink` ("10%") fewer than sealed. */
export type RowBound = { readonly min?: number; readonly maxShrink?: string };

export type Artifact = {
  readonly path: string;
  readonly kind: ArtifactKind;
  readonly role: Role;
  readonly size: number;
  readonly digest: DigestSet;
  readonly sqlite?: SQLiteFacts;
  readonly pgdump?: PGDumpFacts;
  /**
   * Absent: `bytes` (for SQLite, `sqlite.identity` says bytes or content). Written only where it
   * changes what is pinned, so a release of bytes serialises as it always did.
   */
  readonly level?: Exclude<IdentityLevel, "bytes">;
  /** Level content, JSON: the sha256 of the document's RFC 8785 form. */
  readonly json?: { readonly contentDigest: DigestSet };
  /** Level schema, SQLite and pg_dump: the shape sealed. */
  readonly shape?: DatabaseShape;
  /** Level schema, SQLite and pg_dump: bounds on rows, by table. */
  readonly rows?: Readonly<Record<string, RowBound>>;
  /** Level schema, SQLite and pg_dump: the bound of every table without its own. */
  readonly maxShrink?: string;
  /** Level schema, JSON: the JSON Schema the document must pass, as sealed. */
  readonly jsonSchema?: { readonly path: string; readonly schema: unknown };
  /** Level schema, directory: globs (relative to it) that must each match a file in it. */
  readonly members?: readonly string[];
};

export type Manifest = {
  readonly schemaVersion: 1;
  readonly artifacts: readonly Artifact[];
};

export type JSONExpectation = {
  readonly pointer: string;
  readonly equals?: unknown;
  readonly exists?: boolean;
  readonly minItems?: number;
};

export type Probe = {
  readonly name: string;
  readonly type: "http" | "sql" | "catalog" | "identity";
  readonly dataset?: string;
  readonly method?: "GET" | "HEAD" | "POST";
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly query?: string;
  readonly timeout?: string;
  readonly identityPointer?: string;
  readonly expect?: {
    readonly status?: number;
    readonly bodyContains?: string;
    readonly json?: readonly JSONExpectation[];
    readonly value?: unknown;
    readonly rowCount?: number;
    readonly minRows?: number;
  };
};

export type StoreFileRef = { readonly path: string; readonly digest: DigestSet };

export type DatasetEntry = {
  readonly name: string;
  readonly path: string;
  readonly digest: DigestSet;
  readonly catalogEntry: Readonly<Record<string, unknown>>;
};

export type Packet = {
  readonly schemaVersion: 1;
  readonly release: { readonly id: string; readonly version: string; readonly createdAt: string };
  readonly manifest: { readonly digest: DigestSet };
  readonly rollbackPolicy: { readonly digest: DigestSet };
  readonly catalog?: StoreFileRef;
  readonly runtimeConfig?: StoreFileRef;
  readonly datasets: readonly DatasetEntry[];
  readonly probes: readonly Probe[];
};

export type Provenance = {
  readonly schemaVersion: 1;
  readonly subject: readonly [{ readonly name: string; readonly digest: DigestSet }];
  readonly builder: { readonly id: string; readonly version: string };
  readonly buildType: string;
  readonly invocation: {
    readonly verb: string;
    readonly parameters: Readonly<Record<string, unknown>>;
    readonly environment: Readonly<Record<string, unknown>>;
  };
  readonly materials: readonly { readonly uri: string; readonly digest: DigestSet }[];
  readonly metadata: {
    readonly startedOn: string;
    readonly finishedOn: string;
    readonly reproducible: boolean;
  };
};

export type RollbackPolicy = {
  readonly schemaVersion: 1;
  readonly releases: {
    readonly versionFloor: string;
    readonly allowedIds?: readonly string[];
    readonly deniedIds: readonly string[];
    readonly maxAge: string;
    readonly allowDowngrade: boolean;
  };
  readonly objectives: { readonly rpo: string; readonly rto: string };
  readonly retention: {
    readonly keepLast?: number;
    readonly keepDaily: number;
    readonly keepWeekly: number;
    readonly keepMonthly: number;
    readonly keepWithin?: string;
  };
  readonly drills: {
    readonly every: string;
    readonly requireSignedReport?: boolean;
    /** gate and audit count a sampled drill (drill --sample); default false. */
    readonly allowSampled?: boolean;
  };
  /** What audit asks of the backups as a whole: 3-2-1 counts, retention actually kept. */
  readonly backups?: {
    readonly copies?: number;
    readonly media?: number;
    readonly offsite?: number;
    readonly checkRetention?: boolean;
  };
  /** RTO and RPO per failure scenario, with the names of the backups that serve it. */
  readonly scenarios?: readonly Scenario[];
};

export type Scenario = {
  readonly name: string;
  readonly description?: string;
  readonly rto: string;
  readonly rpo: string;
  readonly backups?: readonly string[];
};

/** A folder of dated archives as the drill config names it (src/snapshots/archive-folder.ts). */
export type ArchivesConfig = {
  readonly dir: string;
  readonly glob: string;
  readonly datePattern?: string;
};

export type BackupLocation = "local" | "offsite";

export type RoleRule = { readonly pattern: string; readonly role: Role };

/** One rule of the drill config's `identity` array: glob to level, first match wins. */
export type IdentityRule = {
  readonly pattern: string;
  readonly level: IdentityLevel;
  readonly rows?: Readonly<Record<string, RowBound>>;
  readonly maxShrink?: string;
  /** A JSON Schema file, relative to the directory that holds ops/. */
  readonly jsonSchema?: string;
  readonly members?: readonly string[];
};

export type DrillConfigDocument = {
  readonly schemaVersion: 1;
  readonly store?: {
    readonly root: string;
    readonly catalog?: string;
    readonly runtimeConfig?: string;
  };
  readonly evidence?: {
    readonly manifest?: string;
    readonly packet?: string;
    readonly provenance?: string;
    readonly rollbackPolicy?: string;
  };
  readonly roles?: readonly RoleRule[];
  readonly identity?: readonly IdentityRule[];
  /** Globs of paths under the store root that are not the store's (logs, caches, scratch). */
  readonly exclude?: readonly string[];
  readonly sqlite?: { readonly identity?: SQLiteIdentity };
  readonly postgres?: PostgresConfig;
  readonly probes?: readonly Probe[];
  readonly service?: ServiceConfig;
  readonly probeHosts?: readonly string[];
  readonly secretHeaders?: readonly string[];
  readonly signing?: { readonly key?: string };
  readonly state?: { readonly dir?: string };
  readonly backups?: readonly {
    readonly name: string;
    readonly source?: string;
    readonly archives?: ArchivesConfig;
    readonly authoritative?: boolean;
    readonly location?: BackupLocation;
    readonly media?: string;
  }[];
  readonly reports?: { readonly dir?: string; readonly trustedKeys?: readonly string[] };
};

/** Where pg_dump artifacts are restored to be checked (docs/postgresql.md). */
export type PostgresConfig = {
  /** A server to restore into (a scratch database per dump) instead of a throwaway server. */
  readonly url?: string;
  /** The directory of initdb, pg_ctl, postgres, pg_restore and psql. */
  readonly bindir?: string;
  /** Roles the dumps own or grant to, made (NOLOGIN) in the throwaway server before a restore. */
  readonly roles?: readonly string[];
};

export type ServiceConfig = {
  readonly command: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly readiness: { readonly path: string; readonly timeout?: string };
  readonly stopGrace?: string;
};

/** The kinds of document recoverable reads, each with its schema file and its typed value. */
/** One entry of a snapshot: a directory, or a file stored as a blob named by its digest. */
export type SnapshotEntry =
  | { readonly path: string; readonly type: "dir"; readonly mode: number }
  | {
      readonly path: string;
      readonly type: "file";
      readonly mode: number;
      readonly mtime: string;
      readonly size: number;
      readonly digest: DigestSet;
      readonly sqlite?: {
        /** How the consistent copy was taken (docs/decisions.md "Snapshots"). */
        readonly method: "locked-copy" | "backup-api";
        readonly contentDigest: DigestSet;
        readonly tables: readonly TableRows[];
      };
    };

export type SnapshotMetadata = {
  readonly schemaVersion: 1;
  readonly id: string;
  readonly time: string;
  readonly label: string | null;
  readonly host: string;
  readonly storeRoot: string;
  /** The release the snapshot holds, when its durable files match the sealed evidence. */
  readonly release: {
    readonly id: string;
    readonly version: string;
    readonly identity: DigestSet;
  } | null;
  readonly entries: readonly SnapshotEntry[];
  /**
   * What the snapshot did not copy (absent in snapshots taken before it left anything out):
   * paths matching `exclude`, and paths the `roles` rules make disposable.
   */
  readonly omitted?: { readonly exclude: readonly string[]; readonly roles: readonly RoleRule[] };
  readonly totals: { readonly files: number; readonly dirs: number; readonly bytes: number };
  readonly validation: {
    readonly status: "valid" | "invalid";
    readonly checkedAt: string;
    readonly findings: readonly {
      readonly code: string;
      /** Absent in metadata written before severities were recorded. */
      readonly severity?: "error" | "warning" | "info";
      readonly subject: string;
      readonly message: string;
    }[];
  };
};

export type DocumentTypes = {
  manifest: Manifest;
  packet: Packet;
  provenance: Provenance;
  rollbackPolicy: RollbackPolicy;
  drillConfig: DrillConfigDocument;
  snapshot: SnapshotMetadata;
  /** Read back by `report render`, from a signed report's predicate. */
  drillReport: DrillReport;
};
export type DocumentKind = keyof DocumentTypes;
