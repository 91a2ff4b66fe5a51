import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { runDemo } from "../../src/demo/run-demo.js";
import { REDIS_URL } from "../helpers/redis.js";
import { HAVE_CHROMIUM, launchChromium, screenshots } from "./chromium.js";

describe.skipIf(!HAVE_CHROMIUM)("npm run demo -- --open", () => {
  it("plays the scenario, then keeps the playground open on the pull request it ended with", async () => {
    const lines: string[] = [];
    const browser = await launchChromium();
    let page: Page | undefined;
    let seen: { state: string; checks: string; files: number } | undefined;
    let failure: unknown;
    try {
      const code = await runDemo({
        open: true,
        env: { REDIS_URL, LOG_LEVEL: "silent" },
        print: (line) => lines.push(line),
        // The test is the browser: it looks at the page while the demo holds it open.
        browser: async (url) => {
          try {
            page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
            await page.goto(url);
            await page.waitForSelector("[data-test=checks-status]");
            const checks = (await page.locator("[data-test=checks-status]").getAttribute("class")) ?? "";
            const state = (await page.locator("[data-test=state]").textContent()) ?? "";
            await page.click("[data-test=tab-files]");
            await page.waitForSelector("[data-test=file]");
            seen = { state, checks, files: await page.locator("[data-test=file]").count() };
          } catch (error) {
            failure = error;
            await screenshots(browser, "demo-open", { pr: url }, page);
          }
        },
        until: async () => undefined,
      });
      expect(code).toBe(0);
    } finally {
      await browser.close();
    }
    if (failure) throw failure;
    expect(
      lines.some((l) =>
        /The playground is open on the result: http:\/\/127\.0\.0\.1:\d+\/acme\/weather-client\/pull\/\d+/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(seen?.state).toContain("Open");
    expect(seen?.checks).toContain("check-success");
    expect(seen?.files).toBeGreaterThan(0);
  }, 120_000);
});
