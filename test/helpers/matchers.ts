// "has finding": keeps tests about exact finding codes short and their failures readable.
import { expect } from "vitest";

type FindingLike = { code: string; severity: string; subject: string };
type WithFindings = { findings: readonly FindingLike[] };

expect.extend({
  toHaveFinding(received: WithFindings, code: string, subject?: string | RegExp) {
    const match = received.findings.find(
      (f) =>
        f.code === code &&
        (subject === undefined ||
          (typeof subject === "string" ? f.subject === subject : subject.test(f.subject))),
    );
    const listed =
      received.findings.map((f) => `${f.severity} ${f.code} ${f.subject}`).join("\n    ") ||
      "(none)";
    return {
      pass: match !== undefined,
      message: () =>
        `expected ${this.isNot ? "no " : ""}finding ${code}${subject === undefined ? "" : ` for ${String(subject)}`}; findings:\n    ${listed}`,
    };
  },
});

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- must match vitest's declaration
  interface Matchers<T = any> {
    toHaveFinding: (code: string, subject?: string | RegExp) => T;
  }
}
