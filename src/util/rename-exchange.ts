// Two directories swapped in one step: Linux's renameat2(RENAME_EXCHANGE), through the small
// optional addon in native/rename-exchange, built when the package is installed
// (scripts/build-native.mjs). It is loaded lazily, on the first restore that swaps; without it
// (not Linux, no compiler, --ignore-scripts), or when the kernel or file system refuses the flag,
// restore swaps with two journaled renames instead (src/restore/swap.ts).
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export type RenameExchange = {
  /** Swaps `a` and `b`, both existing, on one file system; throws an fs-style Error. */
  exchange(a: string, b: string): void;
};

/** The built addon: the same place from src/util (tests) and from dist/util. */
export const ADDON_PATH = fileURLToPath(
  new URL("../../native/rename-exchange/build/Release/rename_exchange.node", import.meta.url),
);

/** The addon at `path`, or null when it is not there or does not load. */
export function loadRenameExchange(path: string = ADDON_PATH): RenameExchange | null {
  try {
    const addon = createRequire(import.meta.url)(path) as Partial<RenameExchange>;
    return typeof addon.exchange === "function" ? (addon as RenameExchange) : null;
  } catch {
    return null;
  }
}

let loaded: RenameExchange | null | undefined;

/**
 * The addon, loaded once; null without it. RECOVERABLE_TEST_NO_EXCHANGE=1 makes it absent, for
 * the tests of the two-rename swap (read only by tests, as RECOVERABLE_TEST_PAUSE_AT is).
 */
export function renameExchange(): RenameExchange | null {
  if (process.env["RECOVERABLE_TEST_NO_EXCHANGE"] === "1") return null;
  loaded ??= loadRenameExchange();
  return loaded;
}

/**
 * Whether an exchange failed because this kernel or file system cannot exchange at all (an old
 * kernel: ENOSYS; a file system without the flag: EINVAL, or ENOTSUP on some): then the two
 * renames are the way, and nothing was changed.
 */
export function cannotExchange(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === "ENOSYS" || code === "EINVAL" || code === "ENOTSUP" || code === "EOPNOTSUPP";
}
