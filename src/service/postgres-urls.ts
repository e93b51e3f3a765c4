// The connection URLs of the restored pg_dump datasets that the service's command and
// environment name: {postgres.url} (the release's one pg_dump dataset) and
// {postgres.url:<dataset>}. Only the datasets named are looked up (and restored, if the store
// check did not already). The names were checked before the drill ran
// (src/documents/dataset-references.ts); what is left to fail here is the restore itself.
import { join } from "node:path";
import type { ResolvedService } from "../documents/drill-config.js";
import type { ArtifactKind, DatasetEntry } from "../documents/types.js";
import type { PostgresSession } from "../postgres/session.js";
import { POSTGRES_URL_PLACEHOLDER } from "../documents/dataset-references.js";

/** The URL of each dataset named, by name; the key "" is the one of {postgres.url}. */
export type PostgresURLs = ReadonlyMap<string, string>;

/** The dataset names the service's placeholders use ("" for {postgres.url}). */
function namesUsed(service: ResolvedService): Set<string> {
  const texts = [...service.command, ...Object.values(service.env)];
  return new Set(
    texts.flatMap((text) => [...text.matchAll(POSTGRES_URL_PLACEHOLDER)].map((m) => m[1] ?? "")),
  );
}

export async function postgresURLsFor(
  service: ResolvedService,
  datasets: readonly DatasetEntry[],
  kindOf: (path: string) => ArtifactKind | undefined,
  storeRoot: string,
  session: PostgresSession,
): Promise<{ ok: true; urls: PostgresURLs } | { ok: false; error: string }> {
  const dumps = datasets.filter((d) => kindOf(d.path) === "pgdump");
  const urls = new Map<string, string>();
  for (const name of namesUsed(service)) {
    const dataset =
      name === ""
        ? dumps.length === 1
          ? dumps[0]
          : undefined
        : dumps.find((d) => d.name === name);
    if (dataset === undefined)
      return {
        ok: false,
        error: `{postgres.url${name === "" ? "" : `:${name}`}}: no such pg_dump dataset`,
      };
    const found = await session.connectionURL(
      dataset.path,
      join(storeRoot, ...dataset.path.split("/")),
    );
    if (!found.ok)
      return { ok: false, error: `{postgres.url${name === "" ? "" : `:${name}`}}: ${found.error}` };
    urls.set(name, found.url);
  }
  return { ok: true, urls };
}

/** Replaces each {postgres.url} and {postgres.url:<dataset>} by its URL. */
export function substitutePostgresURLs(text: string, urls: PostgresURLs): string {
  return text.replace(
    POSTGRES_URL_PLACEHOLDER,
    (whole, name: string | undefined) => urls.get(name ?? "") ?? whole,
  );
}
