// Opens each of the portal's pages in a real headless Chromium (Debian's
// chromium, driven by playwright-core) and:
//  - runs axe-core on it: any serious or critical violation fails;
//  - opens it again under the portal's own Content-Security-Policy: any
//    refused resource fails (the pages must not need a script or an inline
//    style);
//  - on a phone-sized screen, fails if the page is wider than the screen;
//  - takes screenshots (desktop and phone) into the output folder.
//
// Usage: node check_pages.mjs BASE_URL OUT_DIR NAME=PATH [NAME=PATH ...]
// Prints one line per page, then each violation with the elements it
// concerns; exits 1 on any failure. Run by tests/e2e/portal_pages_e2e_test.cpp.
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const [base, outDir, ...pageArgs] = process.argv.slice(2);
if (!base || !outDir || pageArgs.length === 0) {
  console.error("usage: node check_pages.mjs BASE_URL OUT_DIR NAME=PATH...");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const pages = pageArgs.map((arg) => {
  const at = arg.indexOf("=");
  return { name: arg.slice(0, at), path: arg.slice(at + 1) };
});

const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
// Chromium refuses its sandbox to root (CI containers run as root).
const args = process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [];
const browser = await chromium.launch({ executablePath, args });
const failures = [];

try {
  // axe is a script, which the portal's CSP rightly refuses: this context
  // lets it in. The pages themselves are checked under the CSP below.
  const axeContext = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });

  for (const { name, path } of pages) {
    const url = base + path;

    const axePage = await axeContext.newPage();
    const response = await axePage.goto(url, { waitUntil: "load" });
    await axePage.evaluate(axeSource);
    const results = await axePage.evaluate(() =>
      // eslint-disable-next-line no-undef
      axe.run(document, { resultTypes: ["violations"] }),
    );
    await axePage.close();
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    console.log(
      `${name} ${path} -> ${response ? response.status() : "no answer"}: ` +
        `${results.violations.length} axe violations, ${serious.length} serious or critical`,
    );
    for (const v of results.violations) {
      const line = `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`;
      console.log(line);
      for (const node of v.nodes.slice(0, 5)) console.log(`      ${node.target.join(" ")}: ${node.failureSummary}`);
    }
    for (const v of serious) failures.push(`${name}: axe ${v.impact} ${v.id}`);

    for (const [context, label] of [
      [desktop, "desktop"],
      [phone, "phone"],
    ]) {
      const page = await context.newPage();
      const refused = [];
      page.on("console", (message) => {
        if (message.type() === "error" && /Content Security Policy|Refused to/.test(message.text()))
          refused.push(message.text());
      });
      await page.goto(url, { waitUntil: "load" });
      for (const text of refused) failures.push(`${name} (${label}): the CSP refused something: ${text}`);
      const styled = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      if (styled === "rgba(0, 0, 0, 0)" || styled === "rgb(255, 255, 255)")
        failures.push(`${name} (${label}): the stylesheet did not apply (body background ${styled})`);
      if (label === "phone") {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) failures.push(`${name}: ${overflow}px wider than a 390px phone screen`);
      }
      await page.screenshot({ path: `${outDir}/${name}-${label}.png`, fullPage: true });
      await page.close();
    }
  }
} finally {
  await browser.close();
}

if (failures.length > 0) {
  console.log(`FAILED:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
console.log(`OK: ${pages.length} pages, no serious or critical violation; screenshots in ${outDir}`);
