// The in-toto Statement v1 that carries a drill report (DESIGN.md "The signed report"), or a
// shard or merged report with their own predicate types (docs/sharding.md).
import type { DigestSet } from "../identity/digest.js";
import { subjectNameOf } from "../documents/identity-chain.js";

export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
export const DRILL_REPORT_PREDICATE_TYPE = "https://recoverable.dev/drill-report/v1";

export type Statement<Predicate> = {
  readonly _type: typeof STATEMENT_TYPE;
  readonly subject: readonly [{ readonly name: string; readonly digest: DigestSet }];
  readonly predicateType: string;
  readonly predicate: Predicate;
};

export function createStatement<Predicate>(
  releaseId: string,
  releaseIdentity: DigestSet,
  predicate: Predicate,
  predicateType: string = DRILL_REPORT_PREDICATE_TYPE,
): Statement<Predicate> {
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: subjectNameOf(releaseId), digest: { sha256: releaseIdentity.sha256 } }],
    predicateType,
    predicate,
  };
}
