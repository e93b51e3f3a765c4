// Checked<T>: the one shape for a value or the findings that say why there is none.
import { describe, expect, it } from "vitest";
import {
  allChecked,
  failed,
  failedWith,
  findingsOf,
  ok,
  type Checked,
} from "../../src/findings/checked.js";
import { createFinding } from "../../src/findings/finding.js";

const missing = createFinding("document_unreadable", { subject: "a.json", message: "missing" });
const bad = createFinding("usage_invalid", { subject: "--x", message: "bad" });

describe("Checked", () => {
  it("holds a value with no findings, or findings with no value", () => {
    const value: Checked<number> = ok(3);
    expect(value).toEqual({ ok: true, value: 3 });
    expect(findingsOf(value)).toEqual([]);
    const none: Checked<number> = failed(missing, bad);
    expect(none).toEqual({ ok: false, findings: [missing, bad] });
    expect(findingsOf(none)).toEqual([missing, bad]);
    expect(failedWith([bad])).toEqual({ ok: false, findings: [bad] });
  });

  it("gathers every value, or every finding of every failed one", () => {
    expect(allChecked([ok(1), ok(2)])).toEqual({ ok: true, value: [1, 2] });
    expect(allChecked([ok(1), failed(missing), failed(bad)])).toEqual({
      ok: false,
      findings: [missing, bad],
    });
    expect(allChecked([])).toEqual({ ok: true, value: [] });
  });
});
