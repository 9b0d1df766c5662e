// The teacher console in a real headless Chromium (Debian's chromium,
// driven by playwright-core), launched from the simulator as a teacher
// would from a course page, and as a student:
//  - the teacher approves the first 3 rows of the SWIM-L3 queue with a
//    note and unticks the rest, which must stay in the queue;
//  - the student downloads a certificate from "My certificates";
//  - axe-core runs on each console page: any serious or critical
//    violation fails; pages are checked under the console's own CSP
//    (nothing refused) and on a 390px phone (nothing wider than it);
//  - screenshots land in OUT_DIR.
//
// Usage: node console_flow.mjs SIM_URL OUT_DIR
// Prints one JSON line {"approved":[names],"kept":N,"issued":[numbers],
// "downloaded_bytes":N} and exits 0, or prints the failures and exits 1.
// Run by tests/e2e/console_e2e_test.cpp.
import { readFileSync, mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

import { consoleChecks } from "./console_checks.mjs";

const [sim, outDir] = process.argv.slice(2);
if (!sim || !outDir) {
  console.error("usage: node console_flow.mjs SIM_URL OUT_DIR");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const args = process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [];
const browser = await chromium.launch({ executablePath, args });
const failures = [];
const { axeCheck, shoot } = consoleChecks(browser, outDir, failures);
const result = {};

// A context that records what the console's CSP refuses.
async function watchedContext(options) {
  const context = await browser.newContext(options);
  context.refused = [];
  context.on("page", (page) =>
    page.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy|Refused to/.test(message.text()) &&
          !page.url().includes("/_sim/") && !page.url().includes("/mod/lti/"))
        context.refused.push(message.text());
    }),
  );
  return context;
}

try {
  // The teacher: the course page's link, then the console.
  const teacher = await watchedContext({ viewport: { width: 1280, height: 900 } });
  const page = await teacher.newPage();
  await page.goto(`${sim}/_sim/lti/launch?username=teacher1&course=SWIM-L3`);
  await page.waitForURL(/\/console\/course\/SWIM-L3$/, { timeout: 20000 });
  await shoot("queue", page);
  await axeCheck("queue", page);

  const boxes = page.locator('tbody input[type="checkbox"]');
  const count = await boxes.count();
  if (count < 5) throw new Error(`the queue has ${count} rows; the demo school queues more than 5`);
  const approved = [];
  for (let i = 0; i < count; i++) {
    const box = boxes.nth(i);
    const label = (await page.locator(`label[for="${await box.getAttribute("id")}"]`).innerText()).trim();
    if (i < 3) {
      await box.check();
      approved.push(label);
    } else {
      await box.uncheck();
    }
  }
  await page.getByLabel("Notes printed on the certificates (optional)").fill("Great effort this term");
  await page.getByRole("button", { name: "Start certificate generation" }).click();
  await page.waitForLoadState("load");
  if ((await page.locator('[role="status"]').count()) === 0)
    throw new Error(`no result after approving: ${page.url()}: ${(await page.innerText("main")).slice(0, 300)}`);
  const status = await page.locator('[role="status"]').innerText();
  if (!status.includes("3 certificates issued.")) failures.push(`after approving: ${status}`);
  result.issued = await page.locator('[role="status"] .mono').allInnerTexts();
  result.approved = approved;
  result.kept = await page.locator('tbody input[type="checkbox"]').count();
  if (result.kept !== count - 3) failures.push(`${result.kept} rows left of ${count}, not ${count - 3}`);
  for (const name of approved)
    if ((await page.locator("tbody label", { hasText: name }).count()) > 0) failures.push(`${name} is still queued`);
  await shoot("queue-after-approval", page);
  await axeCheck("queue-after-approval", page);
  for (const text of teacher.refused) failures.push(`teacher: the CSP refused something: ${text}`);

  // The student: "My certificates", then a download.
  const student = await watchedContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const mine = await student.newPage();
  await mine.goto(`${sim}/_sim/lti/launch?username=student00&course=FA-101`);
  await mine.waitForURL(/\/console\/me$/, { timeout: 20000 });
  await shoot("my-certificates", mine);
  await axeCheck("my-certificates", mine);
  const [download] = await Promise.all([
    mine.waitForEvent("download"),
    mine.getByRole("link", { name: /Download PDF/ }).first().click(),
  ]);
  const bytes = readFileSync(await download.path());
  result.downloaded_bytes = bytes.length;
  if (bytes.subarray(0, 5).toString() !== "%PDF-") failures.push("the download is not a PDF");
  for (const text of student.refused) failures.push(`student: the CSP refused something: ${text}`);

  // Without a session: the page that says how to get in.
  const stranger = await browser.newContext();
  const nobody = await stranger.newPage();
  const refused = await nobody.goto(page.url().replace(/\/console\/.*/, "/console/course/SWIM-L3"));
  if (refused.status() !== 401) failures.push(`without a session: ${refused.status()}, not 401`);
  await shoot("not-signed-in", nobody);
  await axeCheck("not-signed-in", nobody);
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
