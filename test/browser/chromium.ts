import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

/**
 * Debian's chromium, driven by playwright-core with `executablePath` (no browser download: it cannot
 * be fetched here). Flags from STACK-NOTES ("Browser tests"). `.ci/run` installs the package when
 * missing; outside CI a machine without it skips the browser tests and says so.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && process.env.CI)
  throw new Error(`browser tests: ${CHROMIUM} is missing (apt-get install -y chromium)`);
if (!HAVE_CHROMIUM)
  console.warn(`browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));

/** Full-page screenshots of the given pages under test/artifacts/ (for a failed test). */
export async function screenshots(
  browser: Browser,
  name: string,
  pages: Record<string, string>,
  current?: Page,
): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const slug = name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
  if (current)
    await current
      .screenshot({ path: `${ARTIFACTS}${slug}-current.png`, fullPage: true })
      .catch(() => undefined);
  for (const [what, url] of Object.entries(pages)) {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    try {
      await page.goto(url);
      await page.waitForSelector("[data-test=title]", { timeout: 5000 }).catch(() => undefined);
      await page.screenshot({ path: `${ARTIFACTS}${slug}-${what}.png`, fullPage: true });
    } catch {
      // A screenshot that cannot be taken must not hide the test's own failure.
    } finally {
      await page.close();
    }
  }
}
