// The HTML report in a real browser (Debian's chromium, driven by playwright-core), as a person
// sees it: the drill of the bundled example shows its verdict, a timeline with every stage and
// the checks table, whose status filter really hides rows; a drill against a service that
// answers with hostile strings shows them as text, with no injected element and no script run.
// Screenshots (and a PDF of the printed page) go to test-output/html-report/.
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";
import type { DrillReport } from "../src/documents/drill-report.js";

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
async function open(
  file: string,
  javaScriptEnabled = true,
  width = 1280,
): Promise<{ page: Page; watch: Watch }> {
  if (!browser) throw new Error("chromium did not start");
  const context = await browser.newContext({
    javaScriptEnabled,
    viewport: { width, height: 900 },
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

type RGB = [number, number, number];

/** An element's text colour and the colour behind it (its own or its nearest ancestor's). */
async function colours(page: Page, selector: string): Promise<{ text: RGB; background: RGB }> {
  const found = await page.evaluate<{ text: number[]; background: number[] }>(`(() => {
    const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
    let element = document.querySelector(${JSON.stringify(selector)});
    const text = parse(getComputedStyle(element).color);
    while (element) {
      const background = parse(getComputedStyle(element).backgroundColor);
      if (background.length === 3 || background[3] > 0) return { text, background };
      element = element.parentElement;
    }
    return { text, background: [255, 255, 255] };
  })()`);
  return { text: found.text.slice(0, 3) as RGB, background: found.background.slice(0, 3) as RGB };
}

/** WCAG 2 relative luminance. */
function luminance([r, g, b]: RGB): number {
  const channel = (v: number) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

function contrast(a: RGB, b: RGB): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

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
      expect(report.stages.length).toBe(9);
      for (const [i, stage] of report.stages.entries()) {
        const group = stages.nth(i);
        expect(await group.getAttribute("data-stage")).toBe(stage.name);
        expect(await group.locator(".stage-name").isVisible()).toBe(true);
        expect(await group.locator(".stage-name").textContent()).toBe(stage.name);
        expect(await group.locator(".stage-duration").textContent()).toMatch(
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

    it("states in its header the time its timeline spans, which its stages fill to the end", async () => {
      const { page } = await open(file);
      const took = /took ([^·]+?) ·/.exec(await page.locator("#meta").innerText())?.[1];
      const spans = /over (.+)$/.exec(
        (await page.locator("#timeline-title").textContent()) ?? "",
      )?.[1];
      expect(took).toMatch(/^\d+(\.\d+)? (ms|s)$/);
      expect(spans).toBe(took);
      // Teardown is a stage: the last one ends when the drill does, so no time is unaccounted.
      const last = report.stages.at(-1);
      expect(last?.name).toBe("teardown");
      const end = Date.parse(last?.startedAt ?? "") + (last?.durationMs ?? 0);
      expect(Math.abs(Date.parse(report.finishedAt) - end)).toBeLessThan(50);
      await page.close();
    });

    it("follows a dark colour scheme, every text still readable on its background", async () => {
      const { page } = await open(file);
      const light = await colours(page, "body");
      await page.emulateMedia({ colorScheme: "dark" });
      const dark = await colours(page, "body");
      expect(luminance(light.background)).toBeGreaterThan(0.9);
      expect(luminance(dark.background)).toBeLessThan(0.05);
      for (const selector of [
        "#verdict",
        "header.banner h1",
        "#meta",
        "#rto .seen",
        "#checks-table th",
        "#checks-table td",
        "#checks-table .badge.passed",
        "#service pre.log",
        "footer",
      ]) {
        const { text, background } = await colours(page, selector);
        expect(contrast(text, background), selector).toBeGreaterThanOrEqual(4.5);
      }
      await screenshot(page, "example-drill-dark", file);
      // Printed, it is light whatever the screen prefers.
      await page.emulateMedia({ media: "print", colorScheme: "dark" });
      expect(luminance((await colours(page, "body")).background)).toBeGreaterThan(0.9);
      await page.close();
    });

    it("keeps its timeline readable at a phone's width, with nothing wider than the screen", async () => {
      const { page } = await open(file, true, 375);
      const widths = await page.evaluate(`({
        page: document.documentElement.scrollWidth,
        timeline: document.querySelector("#timeline").scrollWidth,
        room: document.querySelector("#timeline").clientWidth,
      })`);
      expect(widths).toMatchObject({ page: 375 });
      const { timeline, room } = widths as { timeline: number; room: number };
      expect(timeline).toBeLessThanOrEqual(room);
      const chart = await page.locator("#timeline svg").boundingBox();
      for (const name of await page.locator("#timeline .stage-name").all()) {
        const box = await name.boundingBox();
        // Text at its own size (an SVG scaled to the screen made it 5 px high), inside the chart.
        expect(box?.height).toBeGreaterThanOrEqual(12);
        expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(
          (chart?.x ?? 0) + (chart?.width ?? 0),
        );
      }
      for (const bar of await page.locator("#timeline rect.bar").all()) {
        const box = await bar.boundingBox();
        expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(
          (chart?.x ?? 0) + (chart?.width ?? 0) + 0.5,
        );
      }
      await screenshot(page, "example-drill-375", file);
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

describe.skipIf(!HAVE_CHROMIUM)(
  "the HTML report of a drill whose backup has one byte changed",
  () => {
    let report: DrillReport;
    let file: string;
    beforeAll(() => {
      const example = copyExample();
      const copy = example.path("bad-store");
      cpSync(example.path("ops/store"), copy, { recursive: true });
      const dataset = `${copy}/datasets/cities.sqlite`;
      const bytes = readFileSync(dataset);
      bytes[5000] = (bytes[5000] ?? 0) ^ 0xff;
      writeFileSync(dataset, bytes);
      expect(spawnSync("tar", ["-C", copy, "-cf", example.path("bad.tar"), "."]).status).toBe(0);
      const run = runCLI(["drill", "--json", "--source", "tar:bad.tar", "--out", "out"], {
        cwd: example.dir,
      });
      expect(run.code, run.stdout + run.stderr).toBe(1);
      report = readReport(example);
      file = example.path("out/drill-report.html");
    });

    it("names the first failing check in its banner, and says what was not run", async () => {
      const { page } = await open(file);
      expect(await page.locator("#verdict").innerText()).toBe("NOT PROVEN");
      const first = await page.locator("#first-failure").innerText();
      expect(first).toMatch(
        /^First failure: artifact_hash_mismatch datasets\/cities\.sqlite: bytes differ from the release/,
      );
      const skipped = report.checks.filter((c) => c.status === "skipped");
      // Every probe is among them, listed although the drill never got to it.
      expect(skipped.filter((c) => c.kind === "probe")).toHaveLength(10);
      expect(await page.locator("#skipped-note").innerText()).toBe(
        `${skipped.length} of ${report.checks.length} checks were not run; they are listed as skipped under Checks.`,
      );
      await page.getByRole("button", { name: `Skipped (${skipped.length})` }).click();
      expect(await visibleRows(page).count()).toBe(skipped.length);
      const rows = (await visibleRows(page).allInnerTexts()).join("\n");
      for (const check of skipped) expect(rows).toContain(check.name);
      expect(rows).toContain('not run: the stage "restore" failed');
      // The timeline shows where it stopped, and the teardown that ran anyway.
      expect(await page.locator("#timeline g.stage.failed").getAttribute("data-stage")).toBe(
        "restore",
      );
      expect(await page.locator('#timeline g[data-stage="teardown"]').getAttribute("class")).toBe(
        "stage passed",
      );
      await screenshot(page, "broken-drill", file);
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
