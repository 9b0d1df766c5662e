// What the console's browser flows check on each page they reach
// (console_flow.mjs, issued_flow.mjs):
//  - axeCheck: axe-core on the page; a serious or critical violation is a
//    failure. axe is a script, which the console's CSP refuses, so it runs
//    on the same URL with the same cookies in a context that bypasses the
//    CSP (the flows load the page itself under its CSP);
//  - shoot: screenshots, desktop and a 390px phone; a page wider than the
//    phone is a failure.
// Pages reached by a POST cannot be loaded again this way (award_flow.mjs
// checks those in place).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export function consoleChecks(browser, outDir, failures) {
  async function axeCheck(name, page) {
    const live = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    await live.addCookies(await page.context().cookies());
    const livePage = await live.newPage();
    await livePage.goto(page.url(), { waitUntil: "load" });
    await livePage.evaluate(axeSource);
    const results = await livePage.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
    await live.close();
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    console.error(`${name}: ${results.violations.length} axe violations, ${serious.length} serious or critical`);
    for (const v of results.violations) {
      console.error(`  [${v.impact}] ${v.id}: ${v.help}`);
      for (const node of v.nodes.slice(0, 5)) console.error(`      ${node.target.join(" ")}: ${node.failureSummary}`);
    }
    for (const v of serious) failures.push(`${name}: axe ${v.impact} ${v.id}`);
  }

  async function shoot(name, page) {
    await page.screenshot({ path: `${outDir}/${name}-desktop.png`, fullPage: true });
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
    });
    await phone.addCookies(await page.context().cookies());
    const small = await phone.newPage();
    await small.goto(page.url(), { waitUntil: "load" });
    const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) failures.push(`${name}: ${overflow}px wider than a 390px phone screen`);
    await small.screenshot({ path: `${outDir}/${name}-phone.png`, fullPage: true });
    await phone.close();
  }

  return { axeCheck, shoot };
}
