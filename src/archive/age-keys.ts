// The keys that decrypt an age archive: X25519 identities from an age-keygen file or from
// `env:NAME` (--identity), and a passphrase from RECOVERABLE_AGE_PASSPHRASE for an archive made
// with `age -p` (age itself reads passphrases only from a terminal; a scheduled drill has
// none). Findings name the file or the variable and line numbers, never key text.
import { readFile, stat } from "node:fs/promises";
import { Decrypter } from "age-encryption";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import {
  displaySecretLocation,
  readSecretVariable,
  secretVariable,
} from "../util/secret-location.js";
import type { SourceRef } from "./source.js";

export const PASSPHRASE_VARIABLE = "RECOVERABLE_AGE_PASSPHRASE";
/** An identity file is a few lines; a large one is a wrong file (the archive itself, say). */
const MAX_IDENTITY_FILE_BYTES = 64 * 1024;

const IDENTITY_HINT = `Pass --identity with the file \`age-keygen -o key.txt\` wrote (lines AGE-SECRET-KEY-1...), or --identity env:NAME with those lines in the variable NAME; for an archive encrypted with a passphrase (age -p), set ${PASSPHRASE_VARIABLE}. Plugins and SSH keys are not supported.`;

/** What a decryption may try: identities, a passphrase, or both. */
export type AgeKeys = {
  readonly identities: readonly string[];
  readonly passphrase: string | null;
};

/** The passphrase of RECOVERABLE_AGE_PASSPHRASE, or null when it is unset or empty. */
export function agePassphrase(env: NodeJS.ProcessEnv = process.env): string | null {
  const passphrase = env[PASSPHRASE_VARIABLE];
  return passphrase === undefined || passphrase === "" ? null : passphrase;
}

/** The usage finding for an `.age` source given without --identity or a passphrase. */
export function identityRequired(ref: SourceRef): ClassifiedFinding {
  return createFinding("usage_invalid", {
    subject: "--identity",
    actual: ref.text,
    message: `${ref.text} is age-encrypted: pass --identity <file|env:NAME> with an age identity (AGE-SECRET-KEY-1...) it was encrypted to, or set ${PASSPHRASE_VARIABLE} to its passphrase`,
    hint: IDENTITY_HINT,
  });
}

function identityFinding(location: string, problem: string): ClassifiedFinding {
  const shown = displaySecretLocation(location);
  return createFinding("usage_invalid", {
    subject: shown,
    message: `--identity ${shown}: ${problem}`,
    hint: IDENTITY_HINT,
  });
}

/** Why one line of an identity file is refused, or null when it is an X25519 identity. */
function identityLineProblem(line: string): string | null {
  if (line.startsWith("AGE-SECRET-KEY-PQ-1"))
    return "is a post-quantum identity; only X25519 identities (AGE-SECRET-KEY-1...) are supported";
  if (line.startsWith("AGE-PLUGIN-")) return "is a plugin identity; plugins are not supported";
  if (!line.startsWith("AGE-SECRET-KEY-1"))
    return `is not an age identity (AGE-SECRET-KEY-1...); SSH keys are not supported, and a passphrase goes in ${PASSPHRASE_VARIABLE}`;
  try {
    new Decrypter().addIdentity(line); // validates the Bech32 checksum and the key length
    return null;
  } catch {
    return "is not a valid AGE-SECRET-KEY-1 identity (a damaged or cut-off key)";
  }
}

/** The text of an identity file, or why it cannot be one. */
async function readIdentityFile(file: string): Promise<{ text: string } | { problem: string }> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return { problem: "is not a file" };
    if (info.size > MAX_IDENTITY_FILE_BYTES)
      return { problem: `is ${info.size} bytes, too large for an identity file` };
    return { text: await readFile(file, "utf8") };
  } catch (error) {
    return {
      problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    };
  }
}

/**
 * The X25519 identities at a location (`env:NAME` or an `age-keygen` file: `#` comments, one or
 * more AGE-SECRET-KEY-1 lines), or a finding naming the location.
 */
export async function readIdentities(location: string): Promise<string[] | ClassifiedFinding> {
  const variable = secretVariable(location);
  const read = variable === null ? await readIdentityFile(location) : readSecretVariable(variable);
  if ("problem" in read) return identityFinding(location, read.problem);
  const identities: string[] = [];
  for (const [index, raw] of read.text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const problem = identityLineProblem(line);
    if (problem !== null) return identityFinding(location, `line ${index + 1} ${problem}`);
    identities.push(line);
  }
  if (identities.length === 0) return identityFinding(location, "holds no AGE-SECRET-KEY-1 line");
  return identities;
}

/** The keys an `.age` archive is decrypted with: the identities at `identity`, the passphrase. */
export async function ageKeysOf(identity: string | undefined): Promise<Checked<AgeKeys>> {
  const identities = identity === undefined ? [] : await readIdentities(identity);
  if (!Array.isArray(identities)) return failed(identities);
  return ok({ identities, passphrase: agePassphrase() });
}
