// Which directory a name holds, by device and inode: what the swap journals about the verified
// scratch tree, so that a later run can tell whether a killed swap had taken effect (the
// target is that tree) without trusting any path. A rename or an exchange keeps both numbers.
// Kept as decimal strings: an inode number may not fit a JavaScript number.
import { lstat } from "node:fs/promises";

export type TreeIdentity = { readonly dev: string; readonly ino: string };

/** The identity of the directory at `path` (never through a link); null when it is not one. */
export async function treeIdentityOf(path: string): Promise<TreeIdentity | null> {
  const info = await lstat(path, { bigint: true }).catch(() => null);
  if (info === null || !info.isDirectory()) return null;
  return { dev: info.dev.toString(), ino: info.ino.toString() };
}

/** A tree identity read from a journal, or null when it is not one. */
export function parseTreeIdentity(value: unknown): TreeIdentity | null {
  if (typeof value !== "object" || value === null) return null;
  const { dev, ino } = value as Record<string, unknown>;
  const number = (text: unknown): text is string => typeof text === "string" && /^\d+$/.test(text);
  return number(dev) && number(ino) ? { dev, ino } : null;
}

export function sameTree(a: TreeIdentity | null, b: TreeIdentity | null): boolean {
  return a !== null && b !== null && a.dev === b.dev && a.ino === b.ino;
}
