// src/findings/cap-repeated.ts: how many findings of one code a source lists one by one.
import { describe, expect, it } from "vitest";
import { capRepeated, REPEAT_LIMIT } from "../../src/findings/cap-repeated.js";
import { createFinding } from "../../src/findings/finding.js";

describe("capRepeated", () => {
  const refused = (i: number, severity: "error" | "warning" = "error") =>
    createFinding("archive_entry_refused", { subject: `m${i}`, message: `m${i}`, severity });

  it("keeps up to the limit of each code in order, then one finding counting the rest", () => {
    const other = createFinding("path_escapes_root", { subject: "x", message: "x" });
    const findings = [
      ...Array.from({ length: 14 }, (_, i) => refused(i, i === 12 ? "error" : "warning")),
      other,
    ];
    const capped = capRepeated(findings, "tar:b.tar");
    expect(capped.map((f) => f.subject)).toEqual([
      ...Array.from({ length: REPEAT_LIMIT }, (_, i) => `m${i}`),
      "x",
      "tar:b.tar",
    ]);
    const summary = capped.at(-1);
    expect(summary?.code).toBe("archive_entry_refused");
    expect(summary?.severity).toBe("error"); // the worst of the four it stands for
    expect(summary?.message).toBe(
      "tar:b.tar: and 4 more archive_entry_refused findings like the 10 above (only the first 10 of a code are listed)",
    );
  });

  it("changes nothing at or under the limit", () => {
    const findings = Array.from({ length: REPEAT_LIMIT }, (_, i) => refused(i));
    expect(capRepeated(findings, "tar:b.tar")).toEqual(findings);
  });
});
