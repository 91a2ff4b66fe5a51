/**
 * The playground as a maintainer uses it: a real browser on the page the simulator serves, triad (web +
 * worker, scripted models) working against the same simulator. The tests run in order on one
 * workflow, as a person would go through it: label, look at the tracking comment, a read-only user
 * tries to approve, the maintainer answers, asks for a change, approves, and looks at the pull request.
 */
import type { Octokit } from "@octokit/rest";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { type Playground, startPlayground } from "../../src/sim/playground/start.js";
import { DEMO_ANSWERS } from "../../src/sim/scenario.js";
import { REDIS_URL } from "../helpers/redis.js";
import { HAVE_CHROMIUM, launchChromium, screenshots } from "./chromium.js";

const BOT = "triad[bot]";

// What the functions run in the page use of the DOM (the project's lib has no DOM types).
interface El {
  dataset: Record<string, string | undefined>;
  classList: { contains(name: string): boolean };
  previousElementSibling: El | null;
  closest(selector: string): El | null;
  querySelector(selector: string): El | null;
  textContent: string | null;
}
declare const document: {
  getElementById(id: string): El | null;
  querySelectorAll(selector: string): { length: number };
};

describe.skipIf(!HAVE_CHROMIUM)("playground: triad in a browser, as the maintainer", () => {
  let pg: Playground;
  let browser: Browser;
  let page: Page;
  let maya: Octokit;
  let owner: string;
  let repo: string;
  let issue: number;
  let pr: number | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    pg = await startPlayground({ env: { REDIS_URL, LOG_LEVEL: "silent" } });
    [owner, repo] = pg.repository.split("/") as [string, string];
    issue = pg.issue as number;
    maya = pg.stack.as(pg.users.find((u) => u.login === "maya")?.token as string);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    page.on("pageerror", (e) => pageErrors.push(e.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await pg?.stop();
  });

  /** Screenshots of the issue and pull-request pages under test/artifacts/ when the test fails. */
  const screenshotOnFailure = (name: string) =>
    onTestFailed(async () => {
      await screenshots(
        browser,
        name,
        {
          issue: pg.page.url(`/${pg.repository}/issues/${issue}`),
          ...(pr
            ? {
                pr: pg.page.url(`/${pg.repository}/pull/${pr}`),
                files: pg.page.url(`/${pg.repository}/pull/${pr}/files`),
              }
            : {}),
        },
        page,
      );
    });

  const botComments = () => page.locator(`[data-test=timeline-item][data-author="${BOT}"]`);
  /** The tracking comment is triad's comment with a checklist (its wording is not what is tested). */
  const tracking = () =>
    botComments().filter({ has: page.locator("li.task-list-item input[type=checkbox]") });

  async function actAs(login: string) {
    await page.selectOption("[data-test=acting-user]", login);
    await page.waitForSelector("[data-test=comment-body-input]");
  }

  async function comment(text: string): Promise<void> {
    const before = await page.locator("[data-test=timeline-item]").count();
    await page.fill("[data-test=comment-body-input]", text);
    await page.click("[data-test=comment-submit]");
    await page.waitForFunction(
      (n) => document.querySelectorAll("[data-test=timeline-item]").length > n,
      before,
    );
  }

  async function waitVisible(locator: Locator, timeout: number): Promise<void> {
    await locator.first().waitFor({ state: "visible", timeout });
  }

  it("a maintainer labels an issue in the page and the tracking comment appears in the page within 2 s", async () => {
    screenshotOnFailure("label");
    await page.goto(pg.page.url(`/${pg.repository}/issues/${issue}`));
    await page.waitForSelector("[data-test=title]");
    expect(await page.inputValue("[data-test=acting-user]")).toBe("maya");
    expect(await tracking().count()).toBe(0);

    await page.click("[data-test=edit-labels]");
    const labelledAt = Date.now();
    await page.click('[data-test=label-option][data-name="triad"]');
    await waitVisible(tracking(), 2000);
    expect(Date.now() - labelledAt).toBeLessThan(2000);

    // The page acted through the REST API as maya, and GitHub's webhook went to triad.
    const { data: labels } = await maya.rest.issues.listLabelsOnIssue({ owner, repo, issue_number: issue });
    expect(labels.map((l) => l.name)).toContain("triad");
    expect(
      pg.stack.sim.deliveries.some((d) => d.event === "issues" && d.action === "labeled" && d.status === 200),
    ).toBe(true);
    expect(await page.locator("[data-test=labels] [data-test=label]", { hasText: "triad" }).count()).toBe(1);
  });

  it("the issue page renders the tracking comment's checklist and table and hides markers", async () => {
    screenshotOnFailure("tracking");
    const body = tracking().first().locator("[data-test=comment-body]");
    // The table of model usage comes with the architect's first turn.
    await waitVisible(body.locator("table"), 20_000);
    expect(await body.locator("li.task-list-item input[type=checkbox]").count()).toBeGreaterThanOrEqual(2);
    expect(await body.locator("table th").count()).toBeGreaterThanOrEqual(2);
    expect(await body.locator("table tbody tr td").count()).toBeGreaterThanOrEqual(2);

    // The source carries hidden markers and state data; the page shows none of it.
    const { data: comments } = await maya.rest.issues.listComments({ owner, repo, issue_number: issue });
    const source = comments.find((c) => c.user?.login === BOT && c.body?.includes("<!--"))?.body ?? "";
    expect(source).toMatch(/<!-- triad:/);
    const text = (await page.locator("main").textContent()) ?? "";
    const html = await page.locator("main").innerHTML();
    expect(text).not.toContain("triad:tracking");
    expect(text).not.toContain("<!--");
    expect(html).not.toMatch(/triad:\w+(-data)? /);
    expect(await body.locator("li.task-list-item").first().isVisible()).toBe(true);
  });

  it("a read-only user's `approved` gets the refusal reply", async () => {
    screenshotOnFailure("read-only-approval");
    await actAs("rita");
    const refusals = botComments().filter({ hasText: "@rita" });
    expect(await refusals.count()).toBe(0);
    await comment("approved");
    expect(await page.locator('[data-test=timeline-item][data-author="rita"]').count()).toBe(1);
    await waitVisible(refusals, 10_000);
    expect((await refusals.first().textContent()) ?? "").toMatch(/approve/i);
    // Nothing was started: the only pull request is none.
    const { data: pulls } = await maya.rest.pulls.list({ owner, repo, state: "all" });
    expect(pulls).toHaveLength(0);
  });

  it("the questions are answered, `approved` typed, and the PR page shows the files, the inline review threads on the right lines and the green check", async () => {
    screenshotOnFailure("pull-request");
    await actAs("maya");
    const plan = (v: number) => botComments().locator("h2", { hasText: new RegExp(`Plan v${v}\\b`) });
    await waitVisible(botComments().locator("ol li"), 20_000); // the architect's questions
    await comment(DEMO_ANSWERS.answers);
    await waitVisible(plan(1), 30_000);
    await comment(DEMO_ANSWERS.change);
    await waitVisible(plan(2), 30_000);
    await comment("approved");

    // The pull request shows up in the list as the developer opens it; the page updates by itself.
    await page.click("[data-test=nav-pulls]");
    await waitVisible(page.locator("[data-test=list-item] a.item-title"), 60_000);
    await page.locator("[data-test=list-item] a.item-title").first().click();
    await page.waitForURL(/\/pull\/\d+$/);
    pr = Number(/\/pull\/(\d+)$/.exec(page.url())?.[1]);

    // The green check, once the reviews are in (live, without a reload).
    await waitVisible(page.locator("[data-test=checks-status].check-success"), 90_000);
    const { data: head } = await maya.rest.pulls.get({ owner, repo, pull_number: pr });
    const { data: runs } = await maya.rest.checks.listForRef({ owner, repo, ref: head.head.sha });
    expect(runs.check_runs.length).toBeGreaterThan(0);
    expect(runs.check_runs.every((r) => r.conclusion === "success")).toBe(true);

    // Files changed: every file of the pull request, with its diff.
    await page.click("[data-test=tab-files]");
    await page.waitForSelector("[data-test=file]");
    const { data: files } = await maya.rest.pulls.listFiles({ owner, repo, pull_number: pr });
    const shown = await page
      .locator("[data-test=file]")
      .evaluateAll((els) => els.map((e) => (e as unknown as El).dataset.path));
    expect(shown).toEqual(files.map((f) => f.filename));

    // Each review thread sits right after the line it was written on: that row holds the file's text
    // at that line, as the API gives the file at the head commit.
    const { data: reviewComments } = await maya.rest.pulls.listReviewComments({
      owner,
      repo,
      pull_number: pr,
    });
    const roots = reviewComments.filter((c) => !c.in_reply_to_id && c.line);
    expect(roots.length).toBeGreaterThan(0);
    expect(await page.locator("[data-test=thread-row]").count()).toBe(roots.length);
    for (const c of roots) {
      const row = await page.evaluate((id) => {
        const el = document.getElementById(`discussion_r${id}`)?.closest("tr.thread-row");
        let prev = el?.previousElementSibling;
        while (prev && !prev.classList.contains("line")) prev = prev.previousElementSibling;
        return prev
          ? {
              path: prev.dataset.path,
              line: Number(prev.dataset.line),
              side: prev.dataset.side,
              code: prev.querySelector("td.code")?.textContent ?? "",
            }
          : undefined;
      }, c.id);
      expect(row).toMatchObject({ path: c.path, line: c.line, side: c.side ?? "RIGHT" });
      const { data: file } = await maya.rest.repos.getContent({
        owner,
        repo,
        path: c.path,
        ref: head.head.sha,
        mediaType: { format: "raw" },
      });
      const lines = String(file).split("\n");
      const expected = c.side === "LEFT" ? undefined : lines[(c.line as number) - 1];
      if (expected !== undefined) expect(row?.code.slice(1)).toBe(expected);
    }
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it("the maintainer merges in the page (triad never does), reviews a line and opens a new issue by typing it", async () => {
    screenshotOnFailure("merge-and-new-issue");
    await page.click("[data-test=tab-conversation]");
    await page.click("[data-test=merge]");
    await waitVisible(page.locator("[data-test=state]", { hasText: "Merged" }), 10_000);
    const { data: merged } = await maya.rest.pulls.get({ owner, repo, pull_number: pr as number });
    expect(merged).toMatchObject({ merged: true, merged_by: { login: "maya" } });

    // A review with an inline comment, written in the page on a line of the diff.
    await page.click("[data-test=tab-files]");
    const line = page.locator("tr.line.add[data-side=RIGHT]").nth(3);
    const at = {
      path: await line.getAttribute("data-path"),
      line: Number(await line.getAttribute("data-line")),
    };
    await line.hover();
    await line.locator("[data-action=add-line-comment]").click();
    await page.fill("[data-test=line-comment-input]", "Nice.\n\n```suggestion\n// a suggested line\n```");
    await page.fill("[data-test=review-body]", "Looks good to me after the merge.");
    await page.click("[data-test=submit-review]");
    const mine = page.locator("[data-test=thread-row]", { hasText: "Nice." });
    await waitVisible(mine, 10_000);
    expect(await mine.locator(".suggested-change").count()).toBe(1);
    const { data: written } = await maya.rest.pulls.listReviewComments({
      owner,
      repo,
      pull_number: pr as number,
    });
    expect(written.find((c) => c.user?.login === "maya")).toMatchObject({
      path: at.path,
      line: at.line,
      side: "RIGHT",
    });

    await page.click("[data-test=nav-issues]");
    await page.click("[data-test=new-issue]");
    await page.fill("[data-test=issue-title]", "Cache forecasts for a minute");
    await page.fill("[data-test=issue-body]", "- [ ] cache\n- [x] measure first\n\n<!-- hidden note -->");
    await page.click("[data-test=submit-issue]");
    await page.waitForURL(/\/issues\/\d+$/);
    expect(await page.locator("[data-test=title]").textContent()).toContain("Cache forecasts for a minute");
    const body = page
      .locator('[data-test=timeline-item][data-author="maya"] [data-test=comment-body]')
      .first();
    expect(await body.locator("input[type=checkbox]:checked").count()).toBe(1);
    expect(await body.textContent()).not.toContain("hidden note");
    const number = Number(/\/issues\/(\d+)$/.exec(page.url())?.[1]);
    const { data: created } = await maya.rest.issues.get({ owner, repo, issue_number: number });
    expect(created.user?.login).toBe("maya");
    expect(pageErrors).toEqual([]);
  });
});
