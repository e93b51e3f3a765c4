// The pure parts of probing: JSON pointers, expectations against answers, secret redaction.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkHTTPExpectations, checkSQLExpectations } from "../../src/probes/expectations.js";
import { lookupPointer } from "../../src/probes/json-pointer.js";
import { createRedactor, redactHeaders } from "../../src/service/redact.js";

describe("lookupPointer (RFC 6901)", () => {
  const document = { "a/b": { "m~n": [10, 20] }, "": 1, list: [], zero: 0 };
  it.each([
    ["", document],
    ["/a~1b/m~0n/1", 20],
    ["/", 1],
    ["/zero", 0],
    ["/list", []],
  ])("finds %s", (pointer, value) => {
    expect(lookupPointer(document, pointer)).toEqual({ found: true, value });
  });
  it.each(["/a~1b/m~0n/2", "/a~1b/m~0n/01", "/a~1b/m~0n/-", "/missing", "zero", "/zero/x"])(
    "does not find %s",
    (pointer) => {
      expect(lookupPointer(document, pointer)).toEqual({ found: false });
    },
  );
});

describe("HTTP expectations", () => {
  const body = JSON.stringify({ count: 3000, rows: [1, 2, 3], nested: { ok: true } });
  it("is met when status, body and every pointer hold", () => {
    expect(
      checkHTTPExpectations(
        {
          status: 200,
          bodyContains: '"count"',
          json: [
            { pointer: "/count", equals: 3000 },
            { pointer: "/rows", minItems: 3 },
            { pointer: "/nested/ok", exists: true },
            { pointer: "/error", exists: false },
          ],
        },
        200,
        body,
      ),
    ).toEqual([]);
  });
  it("says each unmet expectation with what was expected and what came", () => {
    expect(
      checkHTTPExpectations(
        {
          status: 200,
          json: [
            { pointer: "/count", equals: 2999 },
            { pointer: "/rows", minItems: 5 },
            { pointer: "/count", minItems: 1 },
            { pointer: "/nested", exists: false },
          ],
        },
        503,
        body,
      ),
    ).toEqual([
      { expected: "status 200", actual: "status 503" },
      { expected: "/count = 2999", actual: "/count = 3000" },
      { expected: "/rows has at least 5 items", actual: "/rows has 3" },
      { expected: "/count has at least 1 items", actual: "/count is not an array" },
      { expected: "/nested absent", actual: '/nested = {"ok":true}' },
    ]);
  });
  it("compares structured values deeply, not by reference or by text", () => {
    const expectation = { json: [{ pointer: "/nested", equals: { ok: true } }] };
    expect(checkHTTPExpectations(expectation, 200, body)).toEqual([]);
    expect(
      checkHTTPExpectations({ json: [{ pointer: "/count", equals: "3000" }] }, 200, body),
    ).toHaveLength(1);
  });
  it("reports a body that is not JSON when pointers are expected", () => {
    expect(
      checkHTTPExpectations({ json: [{ pointer: "/a", exists: true }] }, 200, "<html>"),
    ).toEqual([{ expected: "a JSON body", actual: 'body "<html>"' }]);
  });
});

describe("SQL expectations", () => {
  it("checks the first value, the row count and the minimum rows", () => {
    expect(checkSQLExpectations({ value: 1795 }, [[1795n]])).toEqual([]);
    expect(checkSQLExpectations({ value: 1795 }, [[1794n]])).toEqual([
      { expected: "first value 1795", actual: "first value 1794" },
    ]);
    expect(checkSQLExpectations({ value: 1 }, [])).toEqual([
      { expected: "first value 1", actual: "no rows" },
    ]);
    expect(checkSQLExpectations({ rowCount: 2, minRows: 3 }, [[1], [2]])).toEqual([
      { expected: "at least 3 rows", actual: "2 rows" },
    ]);
    expect(checkSQLExpectations({ value: null }, [[null]])).toEqual([]);
  });
});

describe("secret redaction", () => {
  it("redacts the value of Authorization, Cookie and configured headers, in any case", () => {
    expect(
      redactHeaders(
        { authorization: "Bearer x", COOKIE: "a=b", "X-Atlas-Token": "t", Accept: "json" },
        ["x-atlas-token"],
      ),
    ).toEqual({
      authorization: "[redacted]",
      COOKIE: "[redacted]",
      "X-Atlas-Token": "[redacted]",
      Accept: "json",
    });
  });

  it("removes every secret, and the bare token of a Bearer value, from any text", () => {
    const noSubstringOfMarker = (s: string) => !"[redacted]".includes(s);
    fc.assert(
      fc.property(
        // Tokens as they come (base64url, JWT, hex): never spaces or brackets.
        fc.stringMatching(/^[A-Za-z0-9._~+/=-]{4,40}$/).filter(noSubstringOfMarker),
        fc.array(fc.string({ maxLength: 30 }), { maxLength: 5 }),
        fc.boolean(),
        (token, pieces, bearer) => {
          const redact = createRedactor([bearer ? `Bearer ${token}` : token]);
          const text = pieces.join(token);
          expect(redact(`${text} ${token} Bearer ${token}`)).not.toContain(token);
        },
      ),
    );
  });
});
