// Roles from the drill config's rules: glob to role, first match wins, durable by default.
import picomatch from "picomatch";
import type { Role, RoleRule } from "../documents/types.js";

export type RoleOf = (path: string) => Role;

export function createRoleMatcher(rules: readonly RoleRule[]): RoleOf {
  const matchers = rules.map((rule) => ({
    role: rule.role,
    test: picomatch(rule.pattern, { dot: true }),
  }));
  return (path) => matchers.find((m) => m.test(path))?.role ?? "durable";
}
