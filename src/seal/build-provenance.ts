// The provenance of a release (pure): its subject is the release identity; materials are the
// inputs that decided it.
import type { Provenance } from "../documents/types.js";
import { subjectNameOf } from "../documents/identity-chain.js";
import type { DigestSet } from "../identity/digest.js";
import { VERSION } from "../util/version.js";

const BUILDER_ID = "https://recoverable.dev/seal";
const BUILD_TYPE = "https://recoverable.dev/seal/v1";

export type ProvenanceInput = {
  readonly releaseId: string;
  readonly releaseIdentity: DigestSet;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly sourceDateEpoch: string | null;
  readonly materials: readonly { readonly uri: string; readonly digest: DigestSet }[];
  readonly startedOn: string;
  readonly finishedOn: string;
};

export function buildProvenance(input: ProvenanceInput): Provenance {
  return {
    schemaVersion: 1,
    subject: [{ name: subjectNameOf(input.releaseId), digest: input.releaseIdentity }],
    builder: { id: BUILDER_ID, version: VERSION },
    buildType: BUILD_TYPE,
    invocation: {
      verb: "seal",
      parameters: input.parameters,
      environment: { SOURCE_DATE_EPOCH: input.sourceDateEpoch },
    },
    materials: input.materials,
    metadata: {
      startedOn: input.startedOn,
      finishedOn: input.finishedOn,
      reproducible: input.sourceDateEpoch !== null,
    },
  };
}
