// The in-toto Statement v1 that carries a drill report: the release as its one subject, and the
// predicate type of a drill report unless another is named.
import { describe, expect, it } from "vitest";
import { subjectNameOf } from "../../src/documents/identity-chain.js";
import { createStatement, DRILL_REPORT_PREDICATE_TYPE } from "../../src/report/statement.js";

describe("createStatement", () => {
  it("names the release as the one subject, with only its sha256", () => {
    const identity = { sha256: "c".repeat(64), extra: "dropped" } as { sha256: string };
    const statement = createStatement("atlas-2026.11.1", identity, { verdict: "proven" });
    expect(statement).toEqual({
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ name: subjectNameOf("atlas-2026.11.1"), digest: { sha256: "c".repeat(64) } }],
      predicateType: DRILL_REPORT_PREDICATE_TYPE,
      predicate: { verdict: "proven" },
    });
    expect(statement.subject[0].name).toBe("release:atlas-2026.11.1");
  });

  it("carries another predicate type when one is named (a shard report)", () => {
    const type = "https://recoverable.dev/drill-shard/v1";
    expect(createStatement("r", { sha256: "d".repeat(64) }, {}, type).predicateType).toBe(type);
  });
});
