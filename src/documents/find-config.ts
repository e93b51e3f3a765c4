// Which drill config a run uses: the file named with -C, else the file RECOVERABLE_CONFIG names,
// else ops/drill.json in the working directory or in the nearest directory above it that has
// one (as git finds .git), else none. A file named by -C or the variable must exist; a search
// that finds nothing leaves the documented defaults.
import { stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

const DEFAULT_CONFIG_PATH = "ops/drill.json";
const CONFIG_VARIABLE = "RECOVERABLE_CONFIG";

export type ConfigLocation = {
  readonly path: string;
  /** Who named it: the flag, the variable, or null when the search found it. */
  readonly namedBy: "-C" | typeof CONFIG_VARIABLE | null;
};

export async function findDrillConfig(
  flag: string | undefined,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<ConfigLocation | null> {
  if (flag !== undefined) return { path: resolve(cwd, flag), namedBy: "-C" };
  // An empty variable is an unset one, as shells make it easy to export one by mistake.
  const named = env[CONFIG_VARIABLE];
  if (named !== undefined && named !== "")
    return { path: resolve(cwd, named), namedBy: CONFIG_VARIABLE };
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, DEFAULT_CONFIG_PATH);
    if (await isFile(candidate)) return { path: candidate, namedBy: null };
    if (dirname(dir) === dir) return null;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
