// A teacher's afternoon in the console, in a real headless Chromium
// (Debian's chromium, driven by playwright-core), launched from the
// simulator as a teacher would from a course page, in this order:
//  1. the teacher of SWIM-L3 approves the first 3 rows of the queue with
//     a note and unticks the rest, which must stay in the queue;
//  2. opens "Issue now", picks Алексей (student 21, who has not met swim
//     level 3) and that certificate, reads the unmet conditions, confirms,
//     and gets the certificate's number;
//  3. opens "Batches", uploads a CSV file of BATCH_ROWS rows with the file
//     input, checks it, starts it, and watches its page (whose script
//     fetches the progress in place) until it says "done";
//     then opens "Reports" and downloads its certificates CSV;
//  4. a student launches and downloads a certificate from "My certificates".
// On every console page axe-core runs (any serious or critical violation
// fails), nothing may be refused by the console's own CSP, nothing may be
// wider than a 390px phone; screenshots land in OUT_DIR.
//
// Usage: node console_flow.mjs SIM_URL OUT_DIR BATCH_ROWS
// Prints one JSON line {"approved":[names],"kept":N,"issued":[numbers],
// "unmet":[conditions],"forced":NUMBER,"batch":ID,"batch_issued":N,
// "downloaded_bytes":N} and exits 0, or prints the failures and exits 1.
// Run by tests/e2e/console_e2e_test.cpp.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

import { consoleChecks } from "./console_checks.mjs";

const [sim, outDir, batchRowsText] = process.argv.slice(2);
if (!sim || !outDir || !batchRowsText) {
  console.error("usage: node console_flow.mjs SIM_URL OUT_DIR BATCH_ROWS");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const batchRows = Number(batchRowsText);
let csv = "student,name,course,notes\n";
for (let i = 1; i <= batchRows; ++i) csv += `browser${i}@families.example,Browser Pupil ${i},SWIM-L3,Row ${i}\n`;
const csvPath = `${outDir}/batch-flow.csv`;
writeFileSync(csvPath, csv);

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
  // 1. The teacher: the course page's link, then the queue.
  const teacher = await watchedContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
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

  // 2. "Issue now": what is missing, in words, before the confirm.
  await page.getByRole("link", { name: "Issue now", exact: true }).click();
  await page.waitForURL(/\/issue-now$/);
  await shoot("issue-now", page);
  await axeCheck("issue-now", page);
  await page.getByLabel("Student").selectOption({ label: "Алексей Смирнов" });
  await page.getByLabel("Certificate").selectOption("swim-level-3");
  await page.getByRole("button", { name: "Show what is missing" }).click();
  await page.waitForURL(/\/issue-now\?/);
  result.unmet = (await page.locator("ul.unmet li").allInnerTexts()).map((t) => t.trim());
  if (result.unmet.length === 0) failures.push("Issue now showed no unmet condition for Алексей");
  await shoot("issue-now-preview", page);
  await axeCheck("issue-now-preview", page);
  await page.getByRole("button", { name: "Issue now", exact: true }).click();
  await page.waitForLoadState("load");
  const done = page.locator('[role="status"]');
  if ((await done.count()) === 0)
    throw new Error(`no result after Issue now: ${page.url()}: ${(await page.innerText("main")).slice(0, 300)}`);
  if (!(await done.innerText()).includes("Issued:")) failures.push(`after Issue now: ${await done.innerText()}`);
  result.forced = (await done.locator(".mono").innerText()).trim();
  await shoot("issue-now-done", page);
  await axeCheck("issue-now-done", page);

  // 3. A batch: upload, check, start, watch it finish.
  await page.getByRole("link", { name: "Batches", exact: true }).click();
  await page.waitForURL(/\/batches$/);
  await shoot("batches-form", page);
  await axeCheck("batches-form", page);
  await page.getByLabel("CSV file").setInputFiles(csvPath);
  await page.getByLabel("Template").selectOption("encouragement");
  await page.getByRole("button", { name: "Check the file" }).click();
  await page.waitForLoadState("load");
  await shoot("batches-checked", page);
  await axeCheck("batches-checked", page);
  await page.getByRole("button", { name: `Start the batch of ${batchRows} certificates` }).click();
  await page.waitForURL(/\/batches\/\d+$/);
  result.batch = Number(page.url().split("/").pop());
  await shoot("batches-running", page);
  await axeCheck("batches-running", page);
  // The page fetches its progress every 3 s while the batch runs (live.js).
  const deadline = Date.now() + 120000;
  let batchStatus = "";
  while (Date.now() < deadline) {
    batchStatus = (await page.locator("dt:text-is('Status') + dd").innerText().catch(() => "")).trim();
    if (batchStatus === "done") break;
    await page.waitForTimeout(1000);
  }
  if (batchStatus !== "done") failures.push(`the batch is "${batchStatus}" after 2 minutes, not done`);
  result.batch_issued = Number((await page.locator("dt:text-is('Issued') + dd").innerText()).trim());
  if ((await page.locator("main[data-refresh]").count()) !== 0)
    failures.push("a done batch's page still fetches its progress");
  await shoot("batches-done", page);
  await axeCheck("batches-done", page);

  // The Reports tab now counts what this afternoon issued; its CSV downloads.
  await page.getByRole("link", { name: "Reports", exact: true }).click();
  await page.waitForURL(/\/reports$/);
  await shoot("reports", page);
  await axeCheck("reports", page);
  const quota = (await page.locator(".quota strong").innerText()).trim();
  if (!/issued this month/.test(quota)) failures.push(`the Reports page's first line is not the quota: ${quota}`);
  const [csvDownload] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: /Download CSV of certificates/i }).click(),
  ]);
  const csvText = readFileSync(await csvDownload.path(), "utf8");
  result.report_has_forced = csvText.includes(result.forced);
  if (!result.report_has_forced) failures.push(`the certificates CSV does not list ${result.forced}`);
  for (const text of teacher.refused) failures.push(`teacher: the CSP refused something: ${text}`);

  // 4. The student: "My certificates", then a download.
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
