// The one shape for "a value, or the findings that say why there is none" (docs/architecture.md,
// "Checked values"). A loader, planner or check returns Checked<T>; the caller tests `ok` once
// and never re-narrows the value again.
import type { ClassifiedFinding } from "./finding.js";

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly findings: readonly ClassifiedFinding[] };

export function ok<T>(value: T): Checked<T> {
  return { ok: true, value };
}

/** No value: at least one finding says why. */
export function failed<T = never>(
  first: ClassifiedFinding,
  ...rest: readonly ClassifiedFinding[]
): Checked<T> {
  return { ok: false, findings: [first, ...rest] };
}

/** No value, from a list already collected (callers check it is not empty). */
export function failedWith<T = never>(findings: readonly ClassifiedFinding[]): Checked<T> {
  return { ok: false, findings };
}

/** The findings of a checked value: none when it has a value. */
export function findingsOf(checked: Checked<unknown>): readonly ClassifiedFinding[] {
  return checked.ok ? [] : checked.findings;
}

/** All the values, or every finding of every one that has none. */
export function allChecked<T>(items: readonly Checked<T>[]): Checked<T[]> {
  const findings = items.flatMap(findingsOf);
  if (findings.length > 0) return failedWith(findings);
  return ok(items.map((item) => (item.ok ? item.value : (undefined as never))));
}

/** The first finding of a value that has none: where one message says why (failed gives one). */
export function firstFinding(checked: {
  readonly findings: readonly ClassifiedFinding[];
}): ClassifiedFinding {
  return checked.findings[0] as ClassifiedFinding;
}
