// Documents name their JSON Schema with a `$schema` key, so an editor validates them as they are
// written; recoverable accepts the key on every document people write, and ignores its value.
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkSchema } from "../src/documents/schema-validation.js";
import type { JSONValue } from "../src/documents/strict-json.js";
import type { DocumentKind } from "../src/documents/types.js";
import { runCLI } from "./helpers/cli.js";
import { copyExample } from "./helpers/example-copy.js";

const read = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Record<string, JSONValue>;

const DOCUMENTS: [DocumentKind, string, string][] = [
  ["manifest", "ops/release/evidence/manifest.json", "manifest"],
  ["packet", "ops/release/packet/packet.json", "packet"],
  ["provenance", "ops/release/provenance.json", "provenance"],
  ["rollbackPolicy", "ops/datasets/rollback-policy.json", "rollback-policy"],
  ["drillConfig", "ops/drill.json", "drill-config"],
];

describe("a $schema key", () => {
  it.each(DOCUMENTS)("is accepted in the %s, as the schema's $id or a path", (kind, file, name) => {
    for (const reference of [
      `https://recoverable.dev/schemas/v1/${name}.schema.json`,
      `../node_modules/recoverable/schemas/${name}.schema.json`,
    ])
      expect(checkSchema(kind, { $schema: reference, ...read(file) }, file)).toEqual([]);
  });

  it.each(DOCUMENTS)("must be a string in the %s (document_invalid at /$schema)", (kind, file) => {
    const findings = checkSchema(kind, { ...read(file), $schema: 1 }, file);
    expect(findings.map((f) => [f.code, f.subject])).toEqual([
      ["document_invalid", `${file}#/$schema`],
    ]);
  });

  it("names each schema by the $id it declares", () => {
    for (const [, , name] of DOCUMENTS) {
      const schema = read(`schemas/${name}.schema.json`);
      expect(schema["$id"]).toBe(`https://recoverable.dev/schemas/v1/${name}.schema.json`);
    }
  });

  it("in the drill config and the rollback policy changes nothing a run proves", () => {
    const example = copyExample();
    const add = (file: string, schema: string) => {
      writeFileSync(
        example.path(file),
        JSON.stringify({ $schema: schema, ...read(example.path(file)) }, null, 2),
      );
    };
    add("ops/drill.json", "../node_modules/recoverable/schemas/drill-config.schema.json");
    add(
      "ops/datasets/rollback-policy.json",
      "https://recoverable.dev/schemas/v1/rollback-policy.schema.json",
    );
    // The policy is named by its digest in the packet, so a release pipeline seals it again.
    example.seal("atlas-2026.11.2", "2026.11.2");
    const identity = runCLI(["identity", "--json"], { cwd: example.dir });
    expect(identity.code, identity.stdout).toBe(0);
    const verify = runCLI(["verify", "--json"], { cwd: example.dir });
    expect(verify.code, verify.stdout).toBe(0);
  });
});
