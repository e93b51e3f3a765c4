// Documentation generated from code must match the code.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FINDING_CATALOGUE } from "../src/findings/catalogue.js";
import { renderFindingsMarkdown } from "../src/findings/render-catalogue.js";

describe("docs/findings.md", () => {
  it("is exactly what the finding catalogue renders (run `npm run docs:findings` after a change)", () => {
    const onDisk = readFileSync(new URL("../docs/findings.md", import.meta.url), "utf8");
    expect(onDisk).toBe(renderFindingsMarkdown());
  });

  it("documents every finding code DESIGN.md says exists from the start", () => {
    const fromTheStart = [
      "document_invalid",
      "document_unreadable",
      "evidence_chain_broken",
      "artifact_missing",
      "artifact_size_mismatch",
      "artifact_hash_mismatch",
      "sqlite_integrity_check_failed",
      "sqlite_content_mismatch",
      "json_artifact_invalid",
      "path_escapes_root",
      "unexpected_artifact",
      "source_unreadable",
      "backup_too_old",
      "service_failed_to_start",
      "service_not_ready",
      "probe_failed",
      "release_identity_mismatch",
      "catalog_incomplete",
      "rollback_forbidden",
      "report_signature_invalid",
      "report_subject_mismatch",
      "report_stale",
      "rto_exceeded",
      "rpo_exceeded",
      "archive_entry_refused",
      "target_not_empty",
    ];
    for (const code of fromTheStart) expect(Object.keys(FINDING_CATALOGUE)).toContain(code);
  });

  it("gives every code a title, an explanation and a hint that say something", () => {
    for (const [code, definition] of Object.entries(FINDING_CATALOGUE)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(definition.title.length, code).toBeGreaterThan(10);
      expect(definition.explanation.length, code).toBeGreaterThan(30);
      expect(definition.hint.length, code).toBeGreaterThan(15);
    }
  });
});
