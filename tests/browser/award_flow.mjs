// The console's "Award" tab in a real headless Chromium (Debian's chromium,
// driven by playwright-core), launched from the simulator as teacher1 of
// SWIM-L3: an encouragement award "Brave first dive" for two students,
// filled in as a person does, without script; the preview PDF; the issue.
//  - the flow runs twice: under the console's own CSP (nothing may be
//    refused; screenshots, desktop and a 390px phone, which the page must
//    fit) and in a context that bypasses the CSP, where axe-core runs on
//    each page (any serious or critical violation fails). Each run issues
//    its own two awards;
//  - screenshots land in OUT_DIR.
//
// Usage: node award_flow.mjs SIM_URL OUT_DIR
// Prints one JSON line {"numbers":["NUMBER","NUMBER"]} (the first run's)
// and exits 0, or prints the failures and exits 1. Run by
// tests/e2e/console_award_e2e_test.cpp.
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [sim, outDir] = process.argv.slice(2);
if (!sim || !outDir) {
  console.error("usage: node award_flow.mjs SIM_URL OUT_DIR");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const args = process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [];
const browser = await chromium.launch({ executablePath, args });
const failures = [];
const result = {};
const desktop = { width: 1280, height: 900 };

async function axeCheck(name, page) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  console.error(`${name}: ${results.violations.length} axe violations, ${serious.length} serious or critical`);
  for (const v of results.violations) {
    console.error(`  [${v.impact}] ${v.id}: ${v.help}`);
    for (const node of v.nodes.slice(0, 5)) console.error(`      ${node.target.join(" ")}: ${node.failureSummary}`);
  }
  for (const v of serious) failures.push(`${name}: axe ${v.impact} ${v.id}`);
}

// POST answers cannot be loaded again: the same page is narrowed instead.
async function shoot(name, page) {
  await page.screenshot({ path: `${outDir}/${name}-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) failures.push(`${name}: ${overflow}px wider than a 390px phone screen`);
  await page.screenshot({ path: `${outDir}/${name}-phone.png`, fullPage: true });
  await page.setViewportSize(desktop);
}

// The whole flow in `context`; `look(name, page)` at each page.
async function flow(context, look) {
  const page = await context.newPage();
  await page.goto(`${sim}/_sim/lti/launch?username=teacher1&course=SWIM-L3`);
  await page.waitForURL(/\/console\/course\/SWIM-L3$/, { timeout: 20000 });
  await page.getByRole("link", { name: "Award", exact: true }).click();
  await page.waitForURL(/\/award$/);
  await look("award-form", page);

  await page.getByLabel("Certificate design").selectOption({ label: "Encouragement award" });
  await page.getByLabel("Title").fill("Brave first dive");
  const boxes = page.getByRole("checkbox");
  if ((await boxes.count()) < 2) throw new Error(`only ${await boxes.count()} students to choose from`);
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.getByLabel("Notes").fill("For a calm, brave first dive.");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForLoadState("load");
  await look("award-confirm", page);

  const link = page.getByRole("link", { name: /Open the preview \(PDF\)/ });
  const href = await link.getAttribute("href");
  const pdf = await context.request.get(new URL(href, page.url()).toString());
  const type = pdf.headers()["content-type"] || "";
  const body = await pdf.body();
  if (pdf.status() !== 200 || !type.startsWith("application/pdf") || body.subarray(0, 5).toString() !== "%PDF-")
    failures.push(`the preview link gave ${pdf.status()} ${type}`);

  await page.getByRole("button", { name: /^Issue 2 awards/ }).click();
  await page.waitForLoadState("load");
  const status = await page.locator('[role="status"]').innerText();
  if (!status.includes("2 awards issued.")) failures.push(`after issuing: ${status}`);
  await look("award-done", page);
  return (await page.locator("td a.mono").allInnerTexts()).map((t) => t.trim());
}

try {
  const teacher = await browser.newContext({ viewport: desktop });
  const refused = [];
  teacher.on("page", (p) =>
    p.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy|Refused to/.test(message.text()) &&
          !p.url().includes("/_sim/") && !p.url().includes("/mod/lti/"))
        refused.push(message.text());
    }),
  );
  result.numbers = await flow(teacher, shoot);
  for (const text of refused) failures.push(`the CSP refused something: ${text}`);
  // axe needs a script, which the console's CSP refuses.
  const open = await browser.newContext({ viewport: desktop, bypassCSP: true });
  await flow(open, axeCheck);
} catch (error) {
  failures.push(String(error && error.stack ? error.stack : error));
} finally {
  await browser.close();
}

if (failures.length > 0) {
  console.log(`FAILED:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
console.log(JSON.stringify(result));
