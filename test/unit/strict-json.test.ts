import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStrictJSON } from "../../src/documents/strict-json.js";

describe("parseStrictJSON", () => {
  it("agrees with JSON.parse on every JSON value without duplicate keys", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value, null, 1);
        const parsed = parseStrictJSON(text);
        expect(parsed).toEqual({ ok: true, value: JSON.parse(text) });
      }),
      { numRuns: 300 },
    );
  });

  it("accepts strings with every kind of escape", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const parsed = parseStrictJSON(JSON.stringify(s));
        expect(parsed).toEqual({ ok: true, value: s });
      }),
    );
  });

  it("refuses a duplicate key and names its line, column and pointer", () => {
    const result = parseStrictJSON('{\n  "a": {"b": 1,\n    "b": 2}\n}');
    expect(result).toEqual({
      ok: false,
      problem: { message: 'duplicate key "b"', line: 3, column: 5, pointer: "/a/b" },
    });
  });

  it("finds a duplicate key in a wide object, written with an escape", () => {
    const keys = Array.from({ length: 20 }, (_, i) => `"k${i}": ${i}`).join(", ");
    const result = parseStrictJSON(`{${keys}, "\\u006b7": "again"}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatchObject({ message: 'duplicate key "k7"' });
    expect(parseStrictJSON(`{${keys}}`)).toMatchObject({ ok: true });
  });

  it("refuses numbers that are not finite doubles", () => {
    const result = parseStrictJSON('{"size": 1e400}');
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problem).toMatchObject({
        pointer: "/size",
        message: expect.stringMatching(/1e400 is not a finite double/),
      });
  });

  it("refuses nesting deeper than the limit", () => {
    const deep = "[".repeat(65) + "]".repeat(65);
    const result = parseStrictJSON(deep);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.message).toMatch(/nesting deeper than 64/);
    expect(parseStrictJSON("[".repeat(64) + "]".repeat(64)).ok).toBe(true);
  });

  it("ignores a leading BOM, which changes nothing", () => {
    expect(parseStrictJSON('\uFEFF{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it.each([
    ["trailing comma", '{"a": 1,}'],
    ["comment", '{"a": 1 /* no */}'],
    ["single quotes", "{'a': 1}"],
    ["leading zero", "[01]"],
    ["NaN", "[NaN]"],
    ["two values", "{} {}"],
    ["raw control character", '["a\u0001"]'],
    ["empty input", ""],
    ["unterminated string", '["abc'],
  ])("refuses %s", (_name, text) => {
    expect(parseStrictJSON(text).ok).toBe(false);
  });

  it("keeps a __proto__ key as data, never as a prototype", () => {
    const result = parseStrictJSON('{"__proto__": {"polluted": true}}');
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(Object.keys(result.value as object)).toEqual(["__proto__"]);
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    }
  });
});
