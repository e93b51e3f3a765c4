// The shape of the readiness audit (pure): the runbook's three questions, each answered from
// evidence as facts, with a gap (a finding) for whatever the evidence cannot answer. A gap is
// "missing" (nothing proves it) or "stale" (proof exists but is older than the policy allows).
import type { FindingCode } from "../findings/catalogue.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";

export type QuestionId = "backup" | "catalog" | "readiness";
export type AnswerStatus = "answered" | "missing" | "stale";
export type GapKind = "missing" | "stale";

/** The Atlas runbook's pre-incident questions, word for word as an on-call engineer reads them. */
const QUESTIONS: Record<QuestionId, string> = {
  backup: "Where is the authoritative backup of the serving store?",
  catalog: "How is catalog integrity preserved or rebuilt?",
  readiness: "What checks prove the recovered instance is ready?",
};

export type Gap = {
  readonly kind: GapKind;
  readonly finding: ClassifiedFinding;
};

export type Answer = {
  readonly id: QuestionId;
  readonly question: string;
  readonly status: AnswerStatus;
  readonly facts: readonly string[];
  readonly gaps: readonly Gap[];
};

/** An answer as the JSON result shows it: each gap by code, subject, kind and message. */
export type PublicAnswer = {
  readonly id: QuestionId;
  readonly question: string;
  readonly status: AnswerStatus;
  readonly facts: readonly string[];
  readonly gaps: readonly {
    readonly code: FindingCode;
    readonly subject: string;
    readonly kind: GapKind;
    readonly message: string;
    readonly hint: string;
  }[];
};

export type GapInput = {
  readonly subject: string;
  readonly message: string;
  readonly expected?: string | null;
  readonly actual?: string | null;
  readonly hint?: string;
};

export function createGap(kind: GapKind, code: FindingCode, input: GapInput): Gap {
  return { kind, finding: createFinding(code, { ...input, failureClass: "not_proven" }) };
}

/** Missing wins over stale: a question with anything unproven is not merely out of date. */
export function statusOf(gaps: readonly Gap[]): AnswerStatus {
  if (gaps.some((g) => g.kind === "missing")) return "missing";
  if (gaps.length > 0) return "stale";
  return "answered";
}

export function createAnswer(
  id: QuestionId,
  facts: readonly string[],
  gaps: readonly Gap[],
): Answer {
  return { id, question: QUESTIONS[id], status: statusOf(gaps), facts, gaps };
}

export function toPublicAnswer(answer: Answer): PublicAnswer {
  return {
    id: answer.id,
    question: answer.question,
    status: answer.status,
    facts: answer.facts,
    gaps: answer.gaps.map((g) => ({
      code: g.finding.code,
      subject: g.finding.subject,
      kind: g.kind,
      message: g.finding.message,
      hint: g.finding.hint,
    })),
  };
}

const LISTED = 5;

/** "a, b, c and 4 more": long lists stay readable in a terminal. */
export function listSome(items: readonly string[]): string {
  const shown = items.slice(0, LISTED).join(", ");
  return items.length > LISTED ? `${shown} and ${items.length - LISTED} more` : shown;
}

/** Milliseconds since `then`, never negative (a clock a little behind a backup's is not news). */
export function ageMs(then: Date, now: Date): number {
  return Math.max(0, now.getTime() - then.getTime());
}
