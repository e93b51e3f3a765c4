// What a rendering knows about the report beyond its JSON: which envelope carries it and how
// far its signature was checked, so every format can say how much to trust the page.

export type SignatureState =
  /** Written by the drill that signed it, with this key. */
  | "signed"
  /** report render --key: the signature was verified by a trusted key before rendering. */
  | "verified"
  /** report render without --key: anyone could have written this report. */
  | "not_checked"
  /** No envelope was written for it (the renderings of a drill shard). */
  | "unsigned";

export type RenderContext = {
  /** The envelope's file name, as the verify command should name it; null when unsigned. */
  readonly envelope: string | null;
  readonly signature: SignatureState;
  /** Hex sha256 of the signer's SPKI DER, when known. */
  readonly keyId: string | null;
  /** The public key's file name for the verify command (default drill.pub, as keygen names it). */
  readonly publicKey?: string;
};

/** The outputs a drill writes beside its signed envelope. */
export const DRILL_CONTEXT: RenderContext = {
  envelope: "drill-report.dsse.json",
  signature: "signed",
  keyId: null,
};

export const NOT_CHECKED_NOTE =
  "Signature not checked: this report was rendered without --key, so anyone could have written it. Check it with `recoverable report verify <envelope> --key <drill.pub>`, or render it with --key.";

/** A word as a POSIX shell reads it: as it is when plain, else in single quotes. */
function shellWord(word: string): string {
  return /^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The exact command that checks the signed report of this rendering. */
export function verifyCommand(context: RenderContext, releaseIdentity: string): string {
  const envelope = context.envelope === null ? "<envelope>" : shellWord(context.envelope);
  const key = shellWord(context.publicKey ?? "drill.pub");
  return `recoverable report verify ${envelope} --key ${key} --release ${shellWord(releaseIdentity)}`;
}
