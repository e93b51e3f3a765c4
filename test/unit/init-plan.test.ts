// init's layout without the CLI: the defaults, --root, --ops and -C, what of the store is not
// the store's, where snapshots go, and the commands said next.
import { describe, expect, it } from "vitest";
import { initLayoutOf, nextCommands } from "../../src/verbs/init-plan.js";

describe("initLayoutOf", () => {
  it("the defaults: ops/store, ops/drill.json and the policy in ops/datasets", () => {
    const layout = initLayoutOf({}, "/w");
    expect(layout).toMatchObject({
      root: "/w/ops/store",
      configPath: "/w/ops/drill.json",
      policyPath: "/w/ops/datasets/rollback-policy.json",
      baseDir: "/w",
      repository: "/w/.recoverable/snapshots",
      signingKey: "/w/.recoverable/keys/drill.key",
      names: { store: "ops/store", ops: "ops", repository: ".recoverable/snapshots", exclude: [] },
    });
  });

  it("a store root holding ops/ excludes it and puts snapshots beside the root", () => {
    const layout = initLayoutOf({ root: "." }, "/w");
    expect(layout.names.exclude).toEqual(["ops/**", ".recoverable/**"]);
    expect(layout.repository).toBe("/w.snapshots");
    expect(layout.names.store).toBe(".");
  });

  it("-C outside an ops folder makes its own folder the base; what is outside it stays absolute", () => {
    const layout = initLayoutOf({ config: "conf/drill.json", root: "/data", ops: "o" }, "/w");
    expect(layout).toMatchObject({
      configPath: "/w/conf/drill.json",
      baseDir: "/w/conf",
      policyPath: "/w/o/datasets/rollback-policy.json",
      names: { store: "/data", ops: "/w/o" },
    });
  });
});

describe("nextCommands", () => {
  it("keygen first when there is no key; -C only for a config not at ./ops/drill.json", () => {
    const plain = nextCommands(initLayoutOf({}, process.cwd()), false);
    expect(plain[0]).toMatch(/^recoverable keygen --out /);
    expect(plain.slice(1).every((line) => !line.includes(" -C "))).toBe(true);
    const withKey = nextCommands(initLayoutOf({ config: "x/drill.json" }, process.cwd()), true);
    expect(withKey).toHaveLength(3);
    expect(withKey[0]).toMatch(/^recoverable seal -C x\/drill.json --release-id x-1 /);
  });

  it("a path a shell would split is quoted", () => {
    const lines = nextCommands(initLayoutOf({ config: "my dir/drill.json" }, process.cwd()), true);
    expect(lines[0]).toContain("-C 'my dir/drill.json'");
    expect(lines[0]).toContain("--release-id my-dir-1");
  });
});
