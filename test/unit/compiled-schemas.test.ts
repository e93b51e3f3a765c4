// The validators the build compiles (scripts/compile-schemas.mjs, dist/documents/
// compiled-schemas.cjs) must judge every document exactly as the schemas compiled at run
// time do: same verdict, same errors, on the example's documents and on broken copies of them.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { compileValidators } from "../../src/documents/schema-validation.js";
import type { DocumentKind } from "../../src/documents/types.js";
import { sampleReport } from "../helpers/sample-report.js";

const built = createRequire(import.meta.url)("../../dist/documents/compiled-schemas.cjs") as Record<
  DocumentKind,
  ValidateFunction
>;
const runtime = compileValidators();

const read = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;

const EXAMPLES: [DocumentKind, string, () => Record<string, unknown>][] = [
  [
    "manifest",
    "ops/release/evidence/manifest.json",
    () => read("ops/release/evidence/manifest.json"),
  ],
  ["packet", "ops/release/packet/packet.json", () => read("ops/release/packet/packet.json")],
  ["provenance", "ops/release/provenance.json", () => read("ops/release/provenance.json")],
  [
    "rollbackPolicy",
    "ops/datasets/rollback-policy.json",
    () => read("ops/datasets/rollback-policy.json"),
  ],
  ["drillConfig", "ops/drill.json", () => read("ops/drill.json")],
  [
    "drillConfig",
    "examples/live-store/ops/drill.json (identity levels, exclude)",
    () => read("examples/live-store/ops/drill.json"),
  ],
  ["drillReport", "a drill report of the example", () => ({ ...sampleReport() })],
];

function judge(validate: ValidateFunction, value: unknown) {
  const ok = validate(value);
  return { ok, errors: validate.errors ?? null };
}

describe("compiled schemas", () => {
  it("has a validator for every kind", () => {
    expect(Object.keys(built).sort()).toEqual([...runtime.keys()].sort());
  });

  it.each(EXAMPLES)(
    "judges the example %s and broken copies of it as the run-time schemas do",
    (kind, _what, load) => {
      const document = load();
      const compiled = runtime.get(kind) as ValidateFunction;
      expect(judge(built[kind], document)).toEqual(judge(compiled, document));
      expect(judge(built[kind], document).ok).toBe(true);
      fc.assert(
        fc.property(
          fc.constantFrom(...Object.keys(document)),
          fc.oneof(
            fc.constant(undefined),
            fc.jsonValue({ maxDepth: 2 }),
            fc.constant("not-a-date"),
          ),
          fc.string({ maxLength: 8 }),
          (key, replacement, extraKey) => {
            const broken: Record<string, unknown> = structuredClone(document);
            if (replacement === undefined) Reflect.deleteProperty(broken, key);
            else broken[key] = replacement;
            broken[`z${extraKey}`] = 1;
            expect(judge(built[kind], broken)).toEqual(judge(compiled, broken));
          },
        ),
        { numRuns: 100 },
      );
    },
  );
});
