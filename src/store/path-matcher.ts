// Globs of store paths, as the drill config writes them (roles, identity, exclude): picomatch
// with dotfiles matched, so `cache/**` holds `cache/.tmp` too.
import picomatch from "picomatch";

/** A matcher for globs of store paths; nothing matches an empty list. */
export function createPathMatcher(globs: readonly string[]): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  const test = picomatch([...globs], { dot: true });
  return (path) => test(path);
}
