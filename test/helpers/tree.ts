import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Every file under a directory with its bytes, to compare trees exactly. */
export function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    out[path.slice(root.length)] = entry.isFile()
      ? readFileSync(path).toString("base64")
      : entry.isDirectory()
        ? "dir"
        : "other";
  }
  return out;
}
