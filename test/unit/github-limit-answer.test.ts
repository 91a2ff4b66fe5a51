import { describe, expect, it } from "vitest";
import { classifyGitHubError, DEFAULT_LIMIT_WAIT_MS, limitAnswer } from "../../src/github/errors.js";
import { isSettling } from "../../src/github/paced-client.js";
import { isContentCreating, isMutative } from "../../src/github/pacer.js";

const date = "Tue, 01 Dec 2026 10:00:00 GMT";
const at = Date.parse(date) / 1000;
const answer = (status: number, message: string, headers: Record<string, string>) => ({
  status,
  message,
  response: { headers: { date, ...headers }, data: { message } },
});

describe("GitHub's rate-limit answers (docs.github.com, Rate limits for the REST API)", () => {
  it("retry-after first", () => {
    const e = answer(403, "You have exceeded a secondary rate limit.", {
      "retry-after": "90",
      "x-ratelimit-remaining": "4000",
    });
    expect(limitAnswer(e)).toEqual({ kind: "secondary", waitMs: 90_000, from: "retry-after" });
  });

  it("then x-ratelimit-reset when the primary budget is spent, counted on GitHub's clock (reset - date)", () => {
    const e = answer(403, "API rate limit exceeded for installation ID 1.", {
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(at + 120),
    });
    expect(limitAnswer(e)).toEqual({ kind: "primary", waitMs: 121_000, from: "reset" });
    expect(limitAnswer({ ...e, status: 429 })?.kind).toBe("primary");
  });

  it("otherwise at least a minute, the legacy abuse message included", () => {
    const secondary = answer(403, "You have exceeded a secondary rate limit. Please wait a few minutes.", {
      "x-ratelimit-remaining": "4999",
    });
    expect(limitAnswer(secondary)).toEqual({
      kind: "secondary",
      waitMs: DEFAULT_LIMIT_WAIT_MS,
      from: "at-least-a-minute",
    });
    const abuse = answer(
      403,
      "You have triggered an abuse detection mechanism. Please wait a few minutes.",
      {},
    );
    expect(limitAnswer(abuse)?.waitMs).toBe(60_000);
    expect(classifyGitHubError(abuse, "post a comment")).toMatchObject({
      code: "rate_limited",
      kind: "retryable",
    });
    expect(limitAnswer(answer(429, "Too many requests", {}))?.waitMs).toBe(60_000);
  });

  it("a 403 that is no limit is a permission error", () => {
    const e = answer(403, "Resource not accessible by integration", { "x-ratelimit-remaining": "4000" });
    expect(limitAnswer(e)).toBeUndefined();
    expect(classifyGitHubError(e, "label").code).toBe("permission_denied");
  });
});

describe("what the pacer counts", () => {
  it("mutative and content-creating requests", () => {
    expect(isMutative("GET")).toBe(false);
    expect(isMutative("PATCH")).toBe(true);
    expect(isContentCreating("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments")).toBe(true);
    expect(isContentCreating("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}")).toBe(false);
    expect(isContentCreating("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews")).toBe(true);
    expect(isContentCreating("POST", "/repos/{owner}/{repo}/git/trees")).toBe(false);
  });

  it("the two 422s of eventual consistency, and no other", () => {
    const head = {
      status: 422,
      response: { data: { errors: [{ resource: "PullRequest", field: "head", code: "invalid" }] } },
    };
    expect(isSettling("POST", "/repos/{owner}/{repo}/pulls", head)).toBe(true);
    const node = { status: 422, message: "Could not resolve to a node with the global id of 'PR_1'." };
    expect(isSettling("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels", node)).toBe(true);
    const exists = { status: 422, message: "A pull request already exists for acme:triad/1-x." };
    expect(isSettling("POST", "/repos/{owner}/{repo}/pulls", exists)).toBe(false);
    expect(isSettling("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels", { status: 404 })).toBe(
      false,
    );
  });
});
