// What a probe expected against what it got (pure): one line per unmet expectation.
import { isDeepStrictEqual } from "node:util";
import type { JSONExpectation, Probe } from "../documents/types.js";
import { lookupPointer } from "./json-pointer.js";

export type Unmet = { readonly expected: string; readonly actual: string };

const show = (value: unknown): string => {
  const text =
    value === undefined || typeof value === "bigint" ? String(value) : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
};

function checkJSONExpectation(document: unknown, expectation: JSONExpectation): Unmet | null {
  const { pointer } = expectation;
  const at = lookupPointer(document, pointer);
  if (expectation.exists === false)
    return at.found
      ? { expected: `${pointer} absent`, actual: `${pointer} = ${show(at.value)}` }
      : null;
  if (!at.found) return { expected: `${pointer} present`, actual: `${pointer} absent` };
  if ("equals" in expectation && !isDeepStrictEqual(at.value, expectation.equals)) {
    return {
      expected: `${pointer} = ${show(expectation.equals)}`,
      actual: `${pointer} = ${show(at.value)}`,
    };
  }
  if (expectation.minItems !== undefined) {
    const count = Array.isArray(at.value) ? at.value.length : -1;
    if (count < expectation.minItems) {
      return {
        expected: `${pointer} has at least ${expectation.minItems} items`,
        actual: count < 0 ? `${pointer} is not an array` : `${pointer} has ${count}`,
      };
    }
  }
  return null;
}

export function checkHTTPExpectations(
  expect: Probe["expect"],
  status: number,
  body: string,
): Unmet[] {
  const unmet: Unmet[] = [];
  const expectedStatus = expect?.status ?? 200;
  if (status !== expectedStatus)
    unmet.push({ expected: `status ${expectedStatus}`, actual: `status ${status}` });
  if (expect?.bodyContains !== undefined && !body.includes(expect.bodyContains)) {
    unmet.push({
      expected: `body contains ${show(expect.bodyContains)}`,
      actual: `body ${show(body.slice(0, 200))}`,
    });
  }
  if (expect?.json && expect.json.length > 0) {
    let document: unknown;
    try {
      document = JSON.parse(body);
    } catch {
      return [...unmet, { expected: "a JSON body", actual: `body ${show(body.slice(0, 200))}` }];
    }
    for (const expectation of expect.json) {
      const miss = checkJSONExpectation(document, expectation);
      if (miss) unmet.push(miss);
    }
  }
  return unmet;
}

export function checkSQLExpectations(expect: Probe["expect"], rows: readonly unknown[][]): Unmet[] {
  const unmet: Unmet[] = [];
  if (expect?.rowCount !== undefined && rows.length !== expect.rowCount)
    unmet.push({ expected: `${expect.rowCount} rows`, actual: `${rows.length} rows` });
  if (expect?.minRows !== undefined && rows.length < expect.minRows)
    unmet.push({ expected: `at least ${expect.minRows} rows`, actual: `${rows.length} rows` });
  if (expect && "value" in expect) {
    const first = rows[0]?.[0];
    const actual = typeof first === "bigint" ? Number(first) : first;
    if (!isDeepStrictEqual(actual, expect.value))
      unmet.push({
        expected: `first value ${show(expect.value)}`,
        actual: rows.length === 0 ? "no rows" : `first value ${show(actual)}`,
      });
  }
  return unmet;
}
