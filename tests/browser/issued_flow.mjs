// The console's "Issued" tab in a real headless Chromium (Debian's
// chromium, driven by playwright-core), launched from the simulator as
// teacher1 of FA-101: search "Zo", open Zoë's certificate, revoke it with a
// reason (the form, as a person fills it, without script), then reissue.
//  - axe-core runs on each page: any serious or critical violation fails;
//  - pages load under the console's own CSP (nothing may be refused) and
//    must fit a 390px phone;
//  - screenshots land in OUT_DIR.
//
// Usage: node issued_flow.mjs SIM_URL OUT_DIR
// Prints one JSON line {"revoked":"NUMBER","reissued":"NUMBER"} and exits
// 0, or prints the failures and exits 1. Run by
// tests/e2e/console_issued_e2e_test.cpp.
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

import { consoleChecks } from "./console_checks.mjs";

const [sim, outDir] = process.argv.slice(2);
if (!sim || !outDir) {
  console.error("usage: node issued_flow.mjs SIM_URL OUT_DIR");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

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

  await page.getByRole("link", { name: "Issued", exact: true }).click();
  await page.waitForURL(/\/certificates$/);
  await page.getByLabel("Search by certificate number, student name or student id").fill("Zo");
  await page.getByRole("button", { name: "Search" }).click();
  await page.waitForURL(/\/certificates\?q=Zo$/);
  await shoot("issued-search", page);
  await axeCheck("issued-search", page);
  // "Zo" finds Zofia too: Zoë's row is the one to open.
  const rows = page.locator("tbody tr", { hasText: "Zoë" });
  if ((await rows.count()) !== 1) throw new Error(`searching Zo found ${await rows.count()} rows of Zoë`);
  const link = rows.first().locator("a.mono");
  const number = (await link.innerText()).trim();
  await link.click();
  await page.waitForURL(new RegExp(`/certificates/${number}$`));
  await shoot("issued-certificate", page);
  await axeCheck("issued-certificate", page);

  await page.getByLabel("Issued in error").check();
  await page.getByLabel("Reason (required)").fill("Issued to the wrong student");
  await page.getByRole("button", { name: "Revoke certificate" }).click();
  await page.waitForLoadState("load");
  const status = await page.locator('[role="status"]').innerText();
  if (!status.includes("is revoked")) failures.push(`after revoking: ${status}`);
  result.revoked = number;
  await shoot("issued-revoked", page);
  await axeCheck("issued-revoked", page);

  await page.getByRole("button", { name: "Reissue certificate" }).click();
  await page.waitForLoadState("load");
  const reissued = await page.locator('[role="status"] .mono').innerText();
  if (!reissued || reissued === number) failures.push(`reissue gave ${reissued}`);
  result.reissued = reissued.trim();
  await shoot("issued-reissued", page);
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
