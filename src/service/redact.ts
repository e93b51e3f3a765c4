// Secrets never reach a report or a log: header values of Authorization, Cookie and the
// configured secret headers are replaced wherever they appear.

const ALWAYS_SECRET_HEADERS = ["authorization", "cookie", "proxy-authorization", "set-cookie"];
const REDACTED = "[redacted]";

export function isSecretHeader(name: string, secretHeaders: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return (
    ALWAYS_SECRET_HEADERS.includes(lower) || secretHeaders.some((h) => h.toLowerCase() === lower)
  );
}

export function redactHeaders(
  headers: Readonly<Record<string, string>>,
  secretHeaders: readonly string[],
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, isSecretHeader(k, secretHeaders) ? REDACTED : v]),
  );
}

/** Replaces every secret value (and the token part of "Bearer x") in a text. */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const values = new Set<string>();
  for (const secret of secrets) {
    if (secret.length >= 4) values.add(secret);
    const token = secret.replace(/^(Bearer|Basic|Token)\s+/i, "");
    if (token.length >= 4) values.add(token);
  }
  const ordered = [...values].sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((out, value) => out.split(value).join(REDACTED), text);
}
