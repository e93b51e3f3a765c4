// The HTML report in a real browser (Debian's chromium, driven by playwright-core), as a person
// sees it: the drill of the bundled example shows its verdict, a timeline with every stage and
// the checks table, whose status filter really hides rows; a drill against a service that
// answers with hostile strings shows them as text, with no injected element and no script run.
// Screenshots (and a PDF of the printed page) go to test-output/html-report/.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DrillReport } from "../src/report/drill-report.js";
import { runCLI } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";

const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const OUTPUT = new URL("../test-output/html-report/", import.meta.url).pathname;

if (!HAVE_CHROMIUM)
  console.warn(
    `html-report.test.ts: SKIPPED, ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`,
  );

let browser: Browser | undefined;
beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  mkdirSync(OUTPUT, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // As root in a container, and without chromium's own network traffic (updates, sync).
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});
afterAll(async () => {
  await browser?.close();
});

const readReport = (example: ExampleCopy): DrillReport =>
  JSON.parse(readFileSync(example.path("out/drill-report.json"), "utf8")) as DrillReport;

type Watch = { dialogs: string[]; errors: string[] };

/** Opens a page from its file, noting every dialog, page error and CSP violation. */
async function open(file: string, javaScriptEnabled = true): Promise<{ page: Page; watch: Watch }> {
  if (!browser) throw new Error("chromium did not start");
  const context = await browser.newContext({
    javaScriptEnabled,
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  const watch: Watch = { dialogs: [], errors: [] };
  page.on("dialog", (dialog) => {
    watch.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => watch.errors.push(error.message));
  // Runs in the page before its own script (the tests are compiled without DOM types).
  await page.addInitScript(
    `window.__violations = [];
     document.addEventListener("securitypolicyviolation", (event) => {
       window.__violations.push(event.violatedDirective + " " + event.blockedURI);
     });`,
  );
  await page.goto(pathToFileURL(file).href);
  return { page, watch };
}

/** The page as a person saw it, and the page itself, for a look after the run. */
async function screenshot(page: Page, name: string, file: string): Promise<void> {
  const path = join(OUTPUT, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  copyFileSync(file, join(OUTPUT, `${name}.html`));
  console.log(`screenshot: ${path}`);
}

const visibleRows = (page: Page) => page.locator("#checks-table tbody tr:visible");

describe.skipIf(!HAVE_CHROMIUM)(
  "the HTML report of the example drill, in headless Chromium",
  () => {
    let example: ExampleCopy;
    let report: DrillReport;
    let file: string;
    beforeAll(() => {
      example = copyExample();
      const run = runCLI(["drill", "--json", "--source", "dir:ops/store", "--out", "out"], {
        cwd: example.dir,
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      report = readReport(example);
      file = example.path("out/drill-report.html");
    });

    it("shows the verdict, the release, RTO and RPO, a timeline with every stage, and every check", async () => {
      const { page, watch } = await open(file);
      expect(await page.title()).toBe(`PROVEN · ${report.releaseId} · recovery drill`);
      expect(await page.locator("#verdict").innerText()).toBe("PROVEN");
      const banner = await page.locator("header.banner").innerText();
      expect(banner).toContain(`Recovery drill of release ${report.releaseId}`);
      expect(banner).toContain(`sha256:${report.releaseIdentity.sha256}`);
      expect(await page.locator("#rto").innerText()).toMatch(
        /^RTO: time to a ready, proven service\s+\d+(\.\d)? s\s+target at most 15m · within target$/,
      );
      expect(await page.locator("#rpo").innerText()).toContain("target at most 1d");
      expect(await page.locator("#source").innerText()).toContain("dir:ops/store");

      // The timeline: one group per stage, each name and duration visible, in order.
      const stages = page.locator("#timeline svg g.stage");
      expect(await stages.count()).toBe(report.stages.length);
      expect(report.stages.length).toBe(8);
      for (const [i, stage] of report.stages.entries()) {
        const group = stages.nth(i);
        expect(await group.getAttribute("data-stage")).toBe(stage.name);
        expect(await group.locator("text.stage-name").isVisible()).toBe(true);
        expect(await group.locator("text.stage-name").textContent()).toBe(stage.name);
        expect(await group.locator("text.stage-duration").textContent()).toMatch(
          /^\d+(\.\d+)? (ms|s)$/,
        );
        const bar = await group.locator("rect.bar").boundingBox();
        expect(bar?.width).toBeGreaterThan(0);
      }

      // The checks: a row per check, all shown, with the probes among them.
      expect(await visibleRows(page).count()).toBe(report.checks.length);
      const table = await page.locator("#checks-table").innerText();
      for (const check of report.checks) expect(table).toContain(check.name);

      // How to verify: the exact command.
      expect(await page.locator("#verify-command").innerText()).toBe(
        `recoverable report verify drill-report.dsse.json --key drill.pub --release ${report.releaseIdentity.sha256}`,
      );
      expect(watch).toEqual({ dialogs: [], errors: [] });
      expect(await page.evaluate("window.__violations")).toEqual([]);
      await screenshot(page, "example-drill", file);
      await page.close();
    });

    it("filters the checks by status when a filter is clicked, and prints them all", async () => {
      const { page } = await open(file);
      const total = report.checks.length;
      await page.getByRole("button", { name: `Failed (0)` }).click();
      expect(await visibleRows(page).count()).toBe(0);
      expect(await page.locator("#checks-shown").innerText()).toBe(`Showing 0 of ${total} checks.`);
      await page.getByRole("button", { name: `Passed (${total})` }).click();
      expect(await visibleRows(page).count()).toBe(total);
      await page.getByRole("button", { name: "Failed (0)" }).click();
      // Printed, every check is there and the buttons are not.
      await page.emulateMedia({ media: "print" });
      expect(await visibleRows(page).count()).toBe(total);
      expect(await page.locator("#check-filters").isVisible()).toBe(false);
      await page.pdf({ path: join(OUTPUT, "example-drill.pdf") });
      await page.emulateMedia({ media: "screen" });
      await page.getByRole("button", { name: `All (${total})` }).click();
      expect(await visibleRows(page).count()).toBe(total);
      expect(
        await page.getByRole("button", { name: `All (${total})` }).getAttribute("aria-pressed"),
      ).toBe("true");
      await page.close();
    });

    it("is fully readable with scripts off: every row shown, no dead filter buttons", async () => {
      const { page } = await open(file, false);
      expect(await visibleRows(page).count()).toBe(report.checks.length);
      expect(await page.locator("#check-filters").isVisible()).toBe(false);
      expect(await page.locator("#timeline svg g.stage").count()).toBe(report.stages.length);
      await page.close();
    });
  },
);

// Each one breaks out of a different context: element, attribute (both quotes), style, SVG,
// title, comment. The stand-in service puts them in its answers and its log; the drill config
// (a document) puts one in a probe's header.
const SCRIPT_TAG = `<script>window.__pwned='script'</script>`;
const IMG_TAG = `"><img src=x onerror="window.__pwned='img'">`;
const STYLE_END = `</style><style>body{display:none}</style>`;
const SVG_END = `</svg><svg onload="window.__pwned='svg'">`;
const QUOTE = `' onmouseover='window.__pwned=1' x='`;
const TITLE_END = `</title><!-- --><iframe src="javascript:alert(1)"></iframe>`;
const ALL = [SCRIPT_TAG, IMG_TAG, STYLE_END, SVG_END, QUOTE, TITLE_END];

describe.skipIf(!HAVE_CHROMIUM)(
  "the HTML report of a drill whose service answers with hostile strings",
  () => {
    let example: ExampleCopy;
    let report: DrillReport;
    let file: string;
    beforeAll(() => {
      example = copyExample();
      const answer = JSON.stringify({ status: SCRIPT_TAG + IMG_TAG, message: STYLE_END + SVG_END });
      example.editDrillConfig((config) => {
        config["service"] = {
          command: [
            "node",
            "-e",
            `console.log(${JSON.stringify(ALL.join("\n"))});` +
              `require("http").createServer((q, s) => { s.writeHead(200, {"content-type": "application/json"}); s.end(${JSON.stringify(answer)}); })` +
              `.listen(Number(process.env.PORT), "127.0.0.1")`,
          ],
          cwd: ".",
          env: {},
          readiness: { path: "/readyz", timeout: "10s" },
          stopGrace: "2s",
        };
        (config["probes"] as unknown[]).push({
          name: "hostile-echo",
          type: "http",
          path: "/echo",
          headers: { "X-Note": QUOTE + TITLE_END },
          expect: { status: 200, json: [{ pointer: "/message", equals: "calm" }] },
        });
      });
      // The probes are part of the release: sealed into its packet.
      example.seal("atlas-2026.11.2", "2026.11.2");
      const run = runCLI(["drill", "--json", "--source", "dir:ops/store", "--out", "out"], {
        cwd: example.dir,
      });
      expect(run.code, run.stdout + run.stderr).toBe(1);
      report = readReport(example);
      // This page comes from report render, with the signature checked.
      const render = runCLI(
        [
          "report",
          "render",
          "out/drill-report.dsse.json",
          "--format",
          "html",
          "--key",
          ".recoverable/keys/drill.pub",
          "--out",
          "rendered/drill.html",
        ],
        { cwd: example.dir },
      );
      expect(render.code, render.stdout + render.stderr).toBe(0);
      file = example.path("rendered/drill.html");
    });

    it("shows every hostile string as text: in the checks, the findings, the headers and the log", async () => {
      const { page, watch } = await open(file);
      expect(await page.locator("#verdict").innerText()).toBe("NOT PROVEN");
      const text = (await page.textContent("body")) ?? "";
      // The probe answers, as the report recorded them, are on the page letter for letter.
      const ready = report.checks.find((c) => c.name === "ready");
      const echo = report.checks.find((c) => c.name === "hostile-echo");
      expect(ready?.actual).toContain(SCRIPT_TAG);
      expect(echo?.actual).toContain("</style><style>body{display:none}</style></svg><svg onload=");
      for (const check of [ready, echo]) expect(text).toContain(check?.actual);
      for (const finding of report.findings) expect(text).toContain(finding.message);
      // The header from the drill config and the service's log, literally.
      expect(text).toContain(`X-Note: ${QUOTE}${TITLE_END}`);
      expect(await page.locator("#service pre.log").textContent()).toBe(report.service?.log);
      for (const hostile of ALL) expect(report.service?.log).toContain(hostile);

      // Nothing was injected: no such element, no attribute handler, no script ran.
      expect(await page.locator("img, iframe, textarea").count()).toBe(0);
      expect(await page.locator("script").count()).toBe(1);
      expect(await page.locator("style").count()).toBe(1);
      expect(await page.locator("svg").count()).toBe(1);
      expect(await page.locator("[onerror], [onload], [onmouseover]").count()).toBe(0);
      expect(await page.evaluate("window.__pwned")).toBeUndefined();
      expect(watch).toEqual({ dialogs: [], errors: [] });
      expect(await page.evaluate("window.__violations")).toEqual([]);
      // The page is still all there (the injected style did not hide it), and says its
      // signature was verified when it was rendered.
      expect(await page.locator("#checks-table").isVisible()).toBe(true);
      expect(await page.locator("#signature-note").innerText()).toMatch(
        /^Signature verified with the trusted key [0-9a-f]{64}/,
      );
      await page.locator("#checks-table").getByText(SCRIPT_TAG, { exact: false }).first().hover();
      expect(await page.evaluate("window.__pwned")).toBeUndefined();
      await screenshot(page, "hostile-drill", file);
      await page.close();
    });

    it("filters to the failed checks, the hostile ones among them", async () => {
      const { page } = await open(file);
      const failed = report.checks.filter((c) => c.status === "failed");
      expect(failed.length).toBeGreaterThanOrEqual(2);
      await page.getByRole("button", { name: `Failed (${failed.length})` }).click();
      expect(await visibleRows(page).count()).toBe(failed.length);
      for (const row of await visibleRows(page).all())
        expect(await row.getAttribute("data-status")).toBe("failed");
      expect(await visibleRows(page).allInnerTexts()).toEqual(
        expect.arrayContaining([expect.stringContaining("hostile-echo")]),
      );
      await page.close();
    });
  },
);
