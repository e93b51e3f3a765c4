// The age recipients an export encrypts to (pure): each --encrypt-to parsed, every bad one named.
import { parseRecipient } from "../archive/age.js";
import { failedWith, ok, type Checked } from "../findings/checked.js";
import type { ClassifiedFinding } from "../findings/finding.js";

export function exportRecipients(texts: readonly string[]): Checked<string[]> {
  const recipients: string[] = [];
  const problems: ClassifiedFinding[] = [];
  for (const text of texts) {
    const parsed = parseRecipient(text, "--encrypt-to");
    if (typeof parsed === "string") recipients.push(parsed);
    else problems.push(parsed);
  }
  return problems.length > 0 ? failedWith(problems) : ok(recipients);
}
