// The console's "Batches" tab in a real headless Chromium (Debian's
// chromium, driven by playwright-core), launched from the simulator as
// teacher1 of FA-101: upload a CSV file of ROWS rows with the file input,
// check it, start the batch, and watch its page (which reloads itself,
// without script) until it says "done".
//  - axe-core runs on each page: any serious or critical violation fails;
//  - pages load under the console's own CSP (nothing may be refused) and
//    must fit a 390px phone;
//  - screenshots land in OUT_DIR.
//
// Usage: node batch_flow.mjs SIM_URL OUT_DIR ROWS
// Prints one JSON line {"batch":ID,"issued":N} and exits 0, or prints the
// failures and exits 1. Run by tests/e2e/console_batch_e2e_test.cpp.
import { writeFileSync, mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

import { consoleChecks } from "./console_checks.mjs";

const [sim, outDir, rowsText] = process.argv.slice(2);
if (!sim || !outDir || !rowsText) {
  console.error("usage: node batch_flow.mjs SIM_URL OUT_DIR ROWS");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const rows = Number(rowsText);
let csv = "student,name,course,notes\n";
for (let i = 1; i <= rows; ++i) csv += `browser${i}@families.example,Browser Pupil ${i},FA-101,Row ${i}\n`;
const csvPath = `${outDir}/batch-flow.csv`;
writeFileSync(csvPath, csv);

const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const args = process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [];
const browser = await chromium.launch({ executablePath, args });
const failures = [];
const { axeCheck, shoot } = consoleChecks(browser, outDir, failures);
const result = {};

try {
  const teacher = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const refused = [];
  teacher.on("page", (p) =>
    p.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy|Refused to/.test(message.text()) &&
          !p.url().includes("/_sim/") && !p.url().includes("/mod/lti/"))
        refused.push(message.text());
    }),
  );
  const page = await teacher.newPage();
  await page.goto(`${sim}/_sim/lti/launch?username=teacher1&course=FA-101`);
  await page.waitForURL(/\/console\/course\/FA-101$/, { timeout: 20000 });

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
  await page.getByRole("button", { name: `Start the batch of ${rows} certificates` }).click();
  await page.waitForURL(/\/batches\/\d+$/);
  result.batch = Number(page.url().split("/").pop());
  await shoot("batches-running", page);
  await axeCheck("batches-running", page);
  // The page reloads itself every 3 s while the batch runs.
  const deadline = Date.now() + 120000;
  while (Date.now() < deadline) {
    const status = await page.locator("dt:text-is('Status') + dd").innerText().catch(() => "");
    if (status.trim() === "done") break;
    await page.waitForTimeout(1000);
  }
  const issued = await page.locator("dt:text-is('Issued') + dd").innerText();
  result.issued = Number(issued.trim());
  const refresh = await page.locator('meta[http-equiv="refresh"]').count();
  if (refresh !== 0) failures.push("a done batch's page still reloads itself");
  await shoot("batches-done", page);
  await axeCheck("batches-done", page);
  for (const text of refused) failures.push(`the CSP refused something: ${text}`);
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
