// The finding catalogue as Markdown (docs/findings.md is generated from this; a test checks it).
import { FINDING_CATALOGUE, type FindingCode } from "./catalogue.js";
import type { CauseHint, FailureClass, FindingDefinition } from "./catalogue.js";

const EXIT_OF: Record<FailureClass, string> = {
  unusable_input: "2 (unusable input)",
  not_proven: "1 (not proven)",
  could_not_run: "3 (could not run)",
};

function exitOf(code: FindingCode): string {
  const definition: FindingDefinition = FINDING_CATALOGUE[code];
  return definition.exit ?? EXIT_OF[definition.failureClass];
}

export function renderFindingsMarkdown(): string {
  const codes = (Object.keys(FINDING_CATALOGUE) as FindingCode[]).sort();
  const lines = [
    "# Finding codes",
    "",
    "<!-- Generated from src/findings/catalogue.ts by `npm run docs:findings`. Do not edit by hand. -->",
    "",
    "Every problem `recoverable` reports is a finding with a stable snake_case code, a severity",
    "(`error`, `warning`, `info`), the subject it concerns, expected and actual values, a message",
    "and a hint saying what to do, chosen by the cause where a code has several. Codes are never",
    "renamed or removed; new ones are added.",
    "",
    "Only findings of severity `error` decide the exit code. The exit code below is the usual one",
    "for an error of that code; a few codes take another class where they are found (for example",
    "`path_escapes_root` in a manifest makes the input unusable, exit 2, while in an archive it",
    "means a bad backup, exit 1). When findings of several classes meet, 2 wins, then 1, then 3.",
    "",
    "| code | title | usual exit |",
    "|---|---|---|",
    ...codes.map(
      (code) => `| [\`${code}\`](#${code}) | ${FINDING_CATALOGUE[code].title} | ${exitOf(code)} |`,
    ),
    "",
  ];
  for (const code of codes) {
    const definition = FINDING_CATALOGUE[code];
    const causes: readonly CauseHint[] = Object.values(
      (definition as FindingDefinition).causes ?? {},
    );
    lines.push(
      `## ${code}`,
      "",
      `**${definition.title}.** ${definition.explanation}`,
      "",
      causes.length === 0 ? `What to do: ${definition.hint}` : "What to do:",
      "",
      ...(causes.length === 0
        ? []
        : [
            ...causes.map((c) => `- when ${c.when}: ${c.hint}`),
            `- otherwise: ${definition.hint}`,
            "",
          ]),
      `Usual exit code: ${exitOf(code)}.`,
      "",
    );
  }
  return lines.join("\n");
}
