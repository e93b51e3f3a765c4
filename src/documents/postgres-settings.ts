// How a run reaches PostgreSQL, from postgres.* of the drill config (docs/postgresql.md).

export type PostgresSettings = {
  /** postgres.url: restore into this server instead of a throwaway one. */
  readonly url: string | null;
  /** postgres.bindir, resolved against the directory that holds ops/. */
  readonly bindir: string | null;
  /** Roles made (NOLOGIN) in the throwaway server before any restore. */
  readonly roles: readonly string[];
};

export const NO_POSTGRES_SETTINGS: PostgresSettings = { url: null, bindir: null, roles: [] };
