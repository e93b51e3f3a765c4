// The stores the benchmark measures, sealed with the built CLI as a release pipeline would.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatSize } from "./args.mjs";
import { buildStore } from "./build-store.mjs";
import { cpu, log, ours, proven, REPO, seconds } from "./runner.mjs";

const RELEASE = ["--release-id", "bench-1.0.0", "--release-version", "1.0.0"];

/**
 * The example's rollback policy, opened to the benchmark's release: as it ships it allows only
 * atlas-* releases from 2026.9.0, and restore would refuse bench-1.0.0 (rollback_forbidden).
 */
export function writeOps(opsDir) {
  mkdirSync(join(opsDir, "datasets"), { recursive: true });
  const policyPath = join(opsDir, "datasets", "rollback-policy.json");
  copyFileSync(join(REPO, "ops", "datasets", "rollback-policy.json"), policyPath);
  const policy = JSON.parse(readFileSync(policyPath, "utf8"));
  policy.releases = {
    ...policy.releases,
    versionFloor: "1.0.0",
    allowedIds: ["bench-*"],
    deniedIds: [],
  };
  // The bench measures time and memory, not a service level: the example's 15-minute RTO is
  // exceeded by a drill of a million files on a busy 2-core machine (measured: 41 minutes),
  // and the drill would then be not proven (rto_exceeded) and the run stop.
  policy.objectives = { ...policy.objectives, rto: "24h" };
  writeFileSync(policyPath, `${JSON.stringify(policy, null, 2)}\n`);
}

/** Seals `store` into the Atlas layout under `ops` (relative to the runner's folder or absolute). */
export async function seal({ run }, store, ops, label = "seal") {
  writeOps(ops);
  return run(label, ours("seal", "--root", store, "--ops", ops, ...RELEASE), { check: proven });
}

/** Builds a synthetic store of about `sizeBytes` and seals it; says what was built. */
export async function buildAndSeal(runner, store, ops, sizeBytes) {
  const started = process.hrtime.bigint();
  const stats = await buildStore(store, sizeBytes);
  const built = Number(process.hrtime.bigint() - started) / 1e9;
  log(
    `  built ${formatSize(stats.bytes)} in ${seconds(built)}: ${stats.small.files} small files ` +
      `(${formatSize(stats.small.bytes)}), ${stats.large.files} large ` +
      `(${formatSize(stats.large.bytes)}), SQLite ${formatSize(stats.sqlite.bytes)} ` +
      `(${stats.sqlite.rows} rows)`,
  );
  const sealed = await seal(runner, store, ops);
  log(`  sealed in ${seconds(sealed.seconds)}${cpu(sealed)}`);
  return stats;
}
