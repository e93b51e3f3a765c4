// The library API: the same functions the CLI calls, with typed options and results.
export { verify, type VerifyOptions, type VerifyResult } from "./verbs/verify.js";
export { seal, type SealOptions, type SealResult } from "./verbs/seal.js";
export { identity, type IdentityOptions, type IdentityResult } from "./verbs/identity.js";
export { keygen, keyIdOf, type KeygenOptions, type KeygenResult } from "./verbs/keygen.js";
export type { VerbResult } from "./verbs/result.js";
export type { Finding, Severity } from "./findings/finding.js";
export type { Verdict, ExitCode } from "./findings/verdict.js";
export { FINDING_CATALOGUE, type FindingCode } from "./findings/catalogue.js";
export { canonicalJSON, digestOfJSON, type DigestSet } from "./identity/digest.js";
export { releaseIdentityOf } from "./identity/chain.js";
export { hashSQLiteContent } from "./store/sqlite-content.js";
export type * from "./documents/types.js";
