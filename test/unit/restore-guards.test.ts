// The target guard on a real file system: a target or --scratch refused as given and with its
// links resolved (a link cannot hide the backup or the evidence), a target that is a link
// refused, and which backups have a local path to protect.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkTarget, localBackupOf } from "../../src/restore/guards.js";
import type { SourceRef } from "../../src/archive/source.js";
import { makeTempDir } from "../helpers/temp-dir.js";

/** cwd/, a backup at backups/store, evidence at cwd/ops/manifest.json. */
function places() {
  const root = makeTempDir("recoverable-guards-");
  const cwd = join(root, "work");
  const backup = join(root, "backups/store");
  const evidence = join(cwd, "ops/manifest.json");
  mkdirSync(join(cwd, "ops"), { recursive: true });
  mkdirSync(backup, { recursive: true });
  writeFileSync(evidence, "{}");
  return { root, cwd, backup, evidence };
}

describe("checkTarget", () => {
  it("allows a fresh directory of its own, absent or present, and a --scratch beside it", async () => {
    const { root, cwd, backup, evidence } = places();
    expect(await checkTarget("restored", cwd, backup, [evidence], null)).toBeNull();
    mkdirSync(join(root, "srv"));
    expect(
      await checkTarget(join(root, "srv"), cwd, backup, [evidence], join(root, "tmp")),
    ).toBeNull();
  });

  it("refuses an empty target as an unset variable, naming --target", async () => {
    const { cwd, backup } = places();
    const finding = await checkTarget("", cwd, backup, [], null);
    expect(finding).toMatchObject({ code: "usage_invalid", subject: "--target", actual: '""' });
    expect(finding?.message).toMatch(
      /is empty \(an unset variable\?\); a restore moves its target aside, so nothing was done$/,
    );
  });

  it("refuses a target that holds the evidence, given relative to the working directory", async () => {
    const { cwd, backup, evidence } = places();
    const finding = await checkTarget("ops", cwd, backup, [evidence], null);
    expect(finding?.actual).toBe(join(cwd, "ops"));
    expect(finding?.message).toContain(`holds the evidence ${evidence}`);
  });

  it("refuses a path through a link that leads into the backup", async () => {
    const { root, cwd, backup } = places();
    symlinkSync(join(root, "backups"), join(root, "alias"));
    const finding = await checkTarget(join(root, "alias/store/sub"), cwd, backup, [], null);
    expect(finding?.message).toContain(`is inside the backup ${backup}`);
  });

  it("refuses a target that is itself a link, naming where it leads", async () => {
    const { root, cwd, backup } = places();
    mkdirSync(join(root, "real"));
    symlinkSync(join(root, "real"), join(root, "link"));
    const finding = await checkTarget(join(root, "link"), cwd, backup, [], null);
    expect(finding?.message).toContain(
      `is a symbolic link to ${join(root, "real")}; name the directory itself`,
    );
  });

  it("refuses a --scratch inside the target, also when a link leads there", async () => {
    const { root, cwd, backup } = places();
    const target = join(root, "srv");
    mkdirSync(target);
    const inside = await checkTarget(target, cwd, backup, [], join(target, "tmp"));
    expect(inside).toMatchObject({ subject: "--scratch" });
    expect(inside?.message).toContain(`is inside the target ${target}`);
    symlinkSync(target, join(root, "via"));
    const linked = await checkTarget(target, cwd, backup, [], join(root, "via/tmp"));
    expect(linked?.message).toContain("is inside the target");
  });
});

describe("localBackupOf", () => {
  const ref = (scheme: SourceRef["scheme"], location: string): SourceRef => ({
    scheme,
    location,
    text: `${scheme}:${location}`,
  });

  it.each([
    [ref("dir", "/b/store"), "/b/store"],
    [ref("tar", "/b/store.tar.gz"), "/b/store.tar.gz"],
    [ref("snapshot", "/b/snapshots#20261126T020000Z"), "/b/snapshots"],
    [ref("restic", "/b/repo#latest"), "/b/repo"],
    [ref("restic", "local:repo#latest"), "/work/repo"],
    [ref("restic", "repo"), "/work/repo"],
    [ref("restic", "s3:s3.amazonaws.com/bucket#latest"), null],
    [ref("restic", "rest:https://host/repo"), null],
  ])("%j is protected as %s", (source, local) => {
    expect(localBackupOf(source, "/work")).toBe(local);
  });
});
