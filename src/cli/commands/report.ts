import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { colorsFor, emit } from "../output.js";
import { renderText } from "../render-text.js";
import { definedOnly } from "./defined-only.js";
import { withExamples, type Example } from "../examples.js";

const REPORT_EXAMPLES: readonly Example[] = [
  {
    command:
      "recoverable report verify /tmp/atlas-drill/drill-report.dsse.json --key .recoverable/keys/drill.pub",
    says: "check a signed drill report",
  },
  {
    command:
      "recoverable report merge /tmp/atlas-shards/shard-*-of-4.dsse.json --key .recoverable/keys/drill.pub",
    says: "check the shard reports of one split and sign one merged report",
  },
];

const VERIFY_EXAMPLES: readonly Example[] = [
  {
    command:
      "recoverable report verify /tmp/atlas-drill/drill-report.dsse.json --key .recoverable/keys/drill.pub",
    says: "check the report's signature by the example's key (`npm start` made it) and its verdict",
  },
  {
    command:
      "recoverable report verify /tmp/atlas-drill/drill-report.dsse.json --key .recoverable/keys/drill.pub --release $(recoverable identity --json | jq -r .releaseIdentity.sha256) --max-age 7d",
    says: "also require that it is about the release under ops/ and at most 7 days old",
  },
];

const MERGE_EXAMPLES: readonly Example[] = [
  {
    command:
      "recoverable report merge /tmp/atlas-shards/shard-*-of-4.dsse.json --key .recoverable/keys/drill.pub --out /tmp/atlas-merged",
    says: "check the 4 shard reports of `verify --shard i/4` and sign one merged report (signing.key of the drill config)",
  },
  {
    command:
      "recoverable report merge /tmp/atlas-shards/shard-*-of-4.dsse.json --key .recoverable/keys/drill.pub --release $(recoverable identity --json | jq -r .releaseIdentity.sha256) --json | jq .checked",
    says: "also require the release under ops/; print the merged counts, which equal a whole verify's",
  },
];

const RENDER_EXAMPLES: readonly Example[] = [
  {
    command:
      "recoverable report render /tmp/atlas-drill/drill-report.dsse.json --format html --key .recoverable/keys/drill.pub --out /tmp/atlas-drill/report.html",
    says: "check the signature, then write the self-contained HTML page (open it in a browser)",
  },
  {
    command:
      "recoverable report render /tmp/atlas-drill/drill-report.dsse.json --format markdown --key .recoverable/keys/drill.pub >> /tmp/atlas-summary.md",
    says: 'the Markdown summary, as a CI job appends it to "$GITHUB_STEP_SUMMARY"',
  },
  {
    command:
      "recoverable report render /tmp/atlas-drill/drill-report.dsse.json --format junit --out /tmp/atlas-drill/junit.xml --json",
    says: "JUnit XML for the CI's test view; --json says where it went",
  },
];

type ReportVerifyFlags = GlobalFlags & { key: string; release?: string; maxAge?: string };
type ReportMergeFlags = GlobalFlags & {
  key: string;
  signingKey?: string;
  out?: string;
  release?: string;
};
type ReportRenderFlags = GlobalFlags & { format: string; out?: string; key?: string };

export function registerReport(program: Command): void {
  const report = withExamples(program.command("report"), REPORT_EXAMPLES).description(
    "check a signed drill report, or merge the signed reports of a sharded verify or drill",
  );
  withExamples(
    withGlobalOptions(
      report
        .command("verify")
        .argument(
          "<envelope>",
          "the signed drill report: a DSSE envelope such as drill-report.dsse.json",
        ),
    ),
    VERIFY_EXAMPLES,
  )
    .description("check a signed drill report: signature, trusted key, release, freshness, verdict")
    .requiredOption("--key <pub>", "the trusted public key (SPKI PEM, as keygen writes drill.pub)")
    .option(
      "--release <sha256>",
      "the release identity (64 hex digits, as `identity` prints it) the report must be about",
    )
    .option(
      "--max-age <duration>",
      "the oldest the report may be, measured from its finishedAt, e.g. 36h or 7d",
    )
    .action(async (envelope: string, flags: ReportVerifyFlags) => {
      const { reportVerify } = await import("../../verbs/report-verify.js");
      const result = await reportVerify({
        envelope,
        key: flags.key,
        ...definedOnly({ release: flags.release, maxAge: flags.maxAge }),
      });
      const predicate = result.statement?.predicate;
      const summary = result.keyId
        ? [
            `signed by key ${result.keyId}`,
            `report verdict ${String(predicate?.verdict)}, finished ${String(predicate?.finishedAt)}`,
          ]
        : [];
      emit(result, flags, summary);
    });
  withExamples(
    withGlobalOptions(
      report
        .command("merge")
        .argument(
          "<envelopes...>",
          "the shard reports (shard-<i>-of-<n>.dsse.json), one per shard",
        ),
    ),
    MERGE_EXAMPLES,
  )
    .description(
      "check every shard report of verify --shard or drill --shard and sign one merged report",
    )
    .requiredOption("--key <pub>", "the trusted public key every shard report must be signed by")
    .option(
      "--signing-key <file>",
      "the Ed25519 private key that signs the merged report, or env:NAME for its PEM text in the variable NAME (default: signing.key of the drill config)",
    )
    .option(
      "--out <dir>",
      "where the merged report goes (default <reports.dir of the drill config, else drill-reports>/<release>-merged-<time>)",
    )
    .option(
      "--release <sha256>",
      "the release identity (64 hex digits, as `identity` prints it) every shard report must be about",
    )
    .action(async (envelopes: string[], flags: ReportMergeFlags) => {
      const { reportMerge } = await import("../../verbs/report-merge.js");
      const result = await reportMerge({
        envelopes,
        key: flags.key,
        ...definedOnly({
          config: flags.config,
          signingKey: flags.signingKey,
          out: flags.out,
          release: flags.release,
        }),
      });
      const summary: string[] = [];
      if (result.merged) {
        for (const shard of result.merged.shards)
          summary.push(
            `shard ${shard.index}: ${shard.verdict}, ${shard.artifacts} artifacts, ${shard.bytes} bytes (${shard.file})`,
          );
        summary.push(`signed merged report: ${result.merged.report.envelope}`);
      }
      emit(result, flags, summary);
    });
  registerRender(report);
}

function registerRender(report: Command): void {
  withExamples(
    withGlobalOptions(
      report
        .command("render")
        .argument(
          "<envelope>",
          "the signed drill report: a DSSE envelope such as drill-report.dsse.json",
        ),
    ),
    RENDER_EXAMPLES,
  )
    .description(
      "render a signed drill report as HTML, Markdown, JUnit XML or text (to stdout, or a file with --out)",
    )
    .requiredOption("--format <format>", "html, markdown, junit or text")
    .option("--out <file>", "write the rendering to this file (atomically) instead of stdout")
    .option(
      "--key <pub>",
      "verify the signature with this trusted public key first and render nothing if it is bad; without it the rendering says the signature was not checked",
    )
    .action(async (envelope: string, flags: ReportRenderFlags) => {
      const { reportRender } = await import("../../verbs/report-render.js");
      const result = await reportRender({
        envelope,
        format: flags.format,
        ...definedOnly({ out: flags.out, key: flags.key }),
      });
      const rendered = result.rendered;
      const summary = rendered?.path
        ? [`wrote ${rendered.format} to ${rendered.path} (${rendered.bytes} bytes)`]
        : [];
      if (flags.json || flags.out !== undefined) {
        emit(result, flags, summary);
        return;
      }
      // The rendering is stdout's; what the verb has to say goes to stderr.
      if (rendered?.content) process.stdout.write(rendered.content);
      process.stderr.write(renderText(result, summary, colorsFor(process.stderr)));
      process.exitCode = result.exitCode;
    });
}
