import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { findingMarker } from "../../src/core/markers.js";
import { findingKey } from "../../src/core/review/finding.js";
import type { ReviewFinding, ReviewOutput } from "../../src/core/schemas/review.js";
import { scriptedModels } from "../../src/models/provider.js";
import { keys } from "../../src/queue/names.js";
import {
  SCRIPTED_REFS,
  ScriptedModel,
  type ScriptedRoleModels,
  type ScriptStep,
} from "../../src/sim/models/scripted-model.js";
import { architectSteps, demoModels } from "../../src/sim/scenario.js";
import { developerFixSteps, developerSteps } from "../../src/sim/scenario-developer.js";
import { DEMO_PLAN_FINDING } from "../../src/sim/scenario-review.js";
import { redisPrecisionStore } from "../../src/stores/precision-store.js";
import { say, TRACKING, toApprovedPlan, trackingNow } from "../helpers/conversation.js";
import { parsePrometheus, total } from "../helpers/prometheus.js";
import { settled } from "../helpers/settle.js";
import { botComments, repo, type SampleStack, startSampleStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait.js";

/**
 * Reviewer precision per repository and cross-vendor confirmation (issue [12/12] items 4 and 6),
 * through the simulator with two scripted reviewers of different vendors (OpenAI, Google) across
 * three review rounds:
 *
 * - round 0: both raise X (confirmed by two vendors; fixed by fix round 1); reviewer A a nit (listed
 *   in the review body, not inline); reviewer B alone a major R, which the architect rejects;
 * - round 1: both raise Y (confirmed; fixed by fix round 2);
 * - round 2: A a minor P (a maintainer's 👎), B a minor Q (`/triad ignore`) → ready.
 */
let stack: SampleStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const met = [1, 2, 3].map((step) => ({ step, status: "met" as const, note: "ok" }));
const submit = (findings: ReviewFinding[], repeat = false): ScriptStep => ({
  ...(repeat ? { repeat: true } : {}),
  toolCalls: [{ name: "submit_review", input: { findings, plan_compliance: met } satisfies ReviewOutput }],
});

const X: ReviewFinding = { ...DEMO_PLAN_FINDING, conflicts_with_plan: false };
const X_B: ReviewFinding = {
  ...X,
  message:
    "Retry-After above maxDelayMs is cut to maxDelayMs: the client retries sooner than the server asked and gets another 429.",
};
const NIT: ReviewFinding = {
  path: "src/retry.ts",
  anchor: "const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);",
  severity: "nit",
  message: "RETRYABLE_STATUSES could be typed as a ReadonlySet.",
  conflicts_with_plan: false,
};
const R: ReviewFinding = {
  path: "src/retry.ts",
  anchor:
    "export const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5_000 };",
  severity: "major",
  message: "maxAttempts is not validated: 0 or a negative number sends no request at all.",
  conflicts_with_plan: false,
};
const WAIT_LINE = '        const wait = retryDelayMs(attempt, retry, response.headers.get("retry-after"));';
const WAIT_FIXED = '        const wait = retryDelayMs(attempt, retry, response.headers.get("Retry-After"));';
const Y: ReviewFinding = {
  path: "src/client.ts",
  anchor: WAIT_LINE,
  severity: "major",
  message: "The header name is spelled in lower case here but in title case everywhere else in the client.",
  conflicts_with_plan: false,
};
const Y_B: ReviewFinding = {
  ...Y,
  message: "Header name spelled in lower case, unlike the rest of the client (title case).",
};
const P: ReviewFinding = {
  path: "src/client.ts",
  anchor: WAIT_FIXED,
  severity: "minor",
  message: "The name wait says little about its unit; delayMs would be clearer.",
  conflicts_with_plan: false,
};
const DOC_LINE = "/** Retry-After in seconds or as an HTTP date, in milliseconds from now. */";
const DOC_FIXED = "/** Retry-After in seconds or as an HTTP date, as milliseconds from now. */";
const Q: ReviewFinding = {
  path: "src/retry.ts",
  anchor: DOC_FIXED,
  severity: "minor",
  message: "Say which clock the HTTP date is read against; a reader would want to know.",
  conflicts_with_plan: false,
};

const fixRound2: ScriptStep[] = [
  {
    toolCalls: [
      { name: "edit_file", input: { path: "src/client.ts", old_string: WAIT_LINE, new_string: WAIT_FIXED } },
    ],
  },
  {
    toolCalls: [
      { name: "edit_file", input: { path: "src/retry.ts", old_string: DOC_LINE, new_string: DOC_FIXED } },
    ],
  },
  {
    toolCalls: [
      {
        name: "done",
        input: {
          summary: `${findingKey(Y)}: the header name is in title case, as elsewhere.`,
          plan_steps: [{ step: 2, status: "done", files: ["src/client.ts", "src/retry.ts"] }],
        },
      },
    ],
  },
];

function models(): ScriptedRoleModels {
  const base = demoModels();
  const architect = [
    ...architectSteps().filter((s) => !JSON.stringify(s).includes("submit_ruling")),
    {
      toolCalls: [
        {
          name: "submit_ruling",
          input: {
            rulings: [
              {
                finding: "F1",
                decision: "reject",
                reason: "maxAttempts comes from our own config, never a user's.",
              },
            ],
          },
        },
      ],
    },
  ];
  return {
    architect: new ScriptedModel(base.architect.ref, architect),
    developer: new ScriptedModel(base.developer.ref, [
      ...developerSteps(),
      ...developerFixSteps(findingKey(X)),
      ...fixRound2,
    ]),
    reviewers: [
      new ScriptedModel(SCRIPTED_REFS.reviewerA, [submit([X, NIT]), submit([Y]), submit([P], true)]),
      new ScriptedModel(SCRIPTED_REFS.reviewerB, [submit([X_B, R]), submit([Y_B]), submit([Q], true)]),
    ],
  };
}

async function reviewsAndComments(s: SampleStack) {
  const { data: pulls } = await s.user("maya").rest.pulls.list({ ...repo, state: "all" });
  const pr = pulls[0];
  if (!pr) throw new Error("no pull request");
  const { data: reviews } = await s.user("maya").rest.pulls.listReviews({ ...repo, pull_number: pr.number });
  const { data: comments } = await s
    .user("maya")
    .rest.pulls.listReviewComments({ ...repo, pull_number: pr.number, per_page: 100 });
  return { pr, reviews, comments };
}

const A = "openai:scripted-reviewer-a";
const B = "google:scripted-reviewer-b";

async function statusReply(s: SampleStack, issue: number): Promise<string> {
  const id = await say(s, issue, "/triad status");
  return waitFor(
    "the status reply",
    () => botComments(s.thread(issue), `<!-- triad:reply id=${id} -->`)[0]?.body,
    20_000,
  );
}

describe("reviewer precision across three rounds (simulator, scripted reviewers)", () => {
  it("counts fixed, overruled (👎, /triad ignore, architect) and confirmed per reviewer in /triad status, /metrics and the merge summary", {
    timeout: 120_000,
  }, async () => {
    const s = await startSampleStack("precision", { models: scriptedModels(models()) });
    stack = s;
    await s
      .user("maya")
      .rest.issues.createLabel({ ...repo, name: "triad:important", color: "ff0000" })
      .catch(() => undefined);
    const issue = await toApprovedPlan(s, 20_000, ["triad:important"]);
    await waitFor("ready", () => /^Ready/.test(trackingNow(s, issue)), 60_000);
    await settled(s);

    const { pr, reviews, comments } = await reviewsAndComments(s);
    expect(reviews.filter((r) => /Review \d of 2/.test(r.body ?? ""))).toHaveLength(6);

    // Round 0, reviewer A: X is confirmed by the other vendor; the nit is in the body, not inline.
    const round0A = reviews.find((r) => (r.body ?? "").includes("Review 1 of 2") && r.body?.includes("Nit"));
    expect(round0A?.body).toMatch(/#### Minor points\n\n_Not inline: nits are listed here, not inline._/);
    expect(round0A?.body).toMatch(
      /💬 \*\*Nit\*\* · `src\/retry.ts` line \d+: RETRYABLE_STATUSES could be typed/,
    );
    expect(comments.some((c) => c.body.includes(findingMarker(findingKey(NIT))))).toBe(false);
    expect(comments.some((c) => c.body.includes(findingMarker(findingKey(X))))).toBe(true);
    // The cross-vendor marks are in the round's `triad/review` check run (written when the round is
    // decided, kept through the architect's ruling), not in edited reviews: no review was edited.
    expect(reviews.some((r) => (r.body ?? "").includes("Across reviewers"))).toBe(false);
    const calls = s.sim.calls.filter((c) => c.actor === "installation");
    const count = (method: string, route: string) =>
      calls.filter((c) => c.method === method && c.route === `/repos/{owner}/{repo}${route}`).length;
    // Three 2-reviewer rounds aggregated, ruled on, fixed: the ledger cost no review edit, and the
    // reviews were listed only by the rebuilds of a ledger the fresh repository did not have yet
    // (one listing of triad's pull requests each), and the threads once per aggregation (the
    // decision's own listing).
    expect(count("PUT", "/pulls/{pull_number}/reviews/{review_id}")).toBe(0);
    expect(count("GET", "/pulls/comments/{comment_id}/reactions")).toBe(0);
    expect(count("GET", "/pulls/{pull_number}/reviews")).toBe(count("GET", "/pulls"));
    expect(count("GET", "/pulls/{pull_number}/comments")).toBe(3);
    const { data: checks } = await s
      .user("maya")
      .rest.checks.listForRef({ ...repo, ref: round0A?.commit_id as string });
    const round0 = checks.check_runs.find((c) => c.name === "triad/review")?.output.summary ?? "";
    expect(round0).toMatch(
      /#### Across reviewers[\s\S]*\*\*major\*\* `src\/retry.ts:\d+`.* — ✅ Confirmed by two vendors \(google, openai\)/,
    );
    expect(round0).toMatch(
      /\*\*nit\*\* `src\/retry.ts:\d+`.* — Raised by one reviewer \(reviewer-1, openai\)/,
    );
    expect(round0).toMatch(/maxAttempts is not validated.* — Raised by one reviewer \(reviewer-2, google\)/);

    // After ready: a maintainer's 👎 on P, `/triad ignore` on Q.
    const pComment = comments.find((c) => c.body.includes(findingMarker(findingKey(P))));
    const qComment = comments.find((c) => c.body.includes(findingMarker(findingKey(Q))));
    expect(pComment && qComment).toBeTruthy();
    await s.user("maya").rest.reactions.createForPullRequestReviewComment({
      ...repo,
      comment_id: pComment?.id as number,
      content: "-1",
    });
    await s.user("maya").rest.pulls.createReplyForReviewComment({
      ...repo,
      pull_number: pr.number,
      comment_id: qComment?.id as number,
      body: "/triad ignore",
    });
    await waitFor("the ignore to be noted", async () =>
      (await reviewsAndComments(s)).comments.some((c) => c.body.includes("Noted: @maya overruled")),
    );

    const rowA = `| \`${A}\` | 4 | 2 (50%) | 1 (25%) | 2 (50%) | 67% |`;
    const rowB = `| \`${B}\` | 4 | 2 (50%) | 2 (50%) | 2 (50%) | 50% |`;
    const status = await statusReply(s, issue);
    expect(status).toContain("#### Reviewer precision on this repository");
    expect(status).toContain(rowA);
    expect(status).toContain(rowB);

    const metrics = parsePrometheus(await (await fetch(new URL("/metrics", s.web.url))).text());
    const name = `${repo.owner}/${repo.repo}`;
    const series = (model: string, kind: string) =>
      total(metrics, "triad_reviewer_findings", { repo: name, model, kind });
    expect([series(A, "raised"), series(A, "fixed"), series(A, "overruled"), series(A, "confirmed")]).toEqual(
      [4, 2, 1, 2],
    );
    expect([series(B, "raised"), series(B, "fixed"), series(B, "overruled"), series(B, "confirmed")]).toEqual(
      [4, 2, 2, 2],
    );
    expect(total(metrics, "triad_reviewer_precision", { repo: name, model: B })).toBe(0.5);

    // Redis loses the ledger: it is rebuilt from GitHub (the reviews' data, the round outcomes in the
    // tracking comment's state), with the same counts.
    const redis = new Redis(s.env.REDIS_URL);
    await redis.del(keys(s.env.TRIAD_REDIS_PREFIX).precision(name));
    redis.disconnect();
    const rebuilt = await statusReply(s, issue);
    expect(rebuilt).toContain(rowA);
    expect(rebuilt).toContain(rowB);

    await s.user("maya").rest.pulls.merge({ ...repo, pull_number: pr.number });
    await waitFor("merged", () => trackingNow(s, issue).startsWith("Merged"));
    const summary = botComments(s.thread(issue), TRACKING)[0]?.body ?? "";
    expect(summary).toContain("#### Reviewer precision on this repository");
    expect(summary).toContain(rowA);
    // 👎s were read where the thread listing counted one: P's, once (at the first status).
    const reactionReads = s.sim.calls.filter(
      (c) =>
        c.actor === "installation" &&
        c.route === "/repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions",
    );
    expect(reactionReads.map((c) => c.method)).toEqual(["GET"]);
  });

  it("folds a reviewer's minor points into the review body once its precision on the repository is below the threshold", {
    timeout: 90_000,
  }, async () => {
    const base = demoModels();
    const m: ScriptedRoleModels = {
      architect: new ScriptedModel(
        base.architect.ref,
        architectSteps().filter((s) => !JSON.stringify(s).includes("submit_ruling")),
      ),
      developer: base.developer,
      reviewers: [
        new ScriptedModel(SCRIPTED_REFS.reviewerA, [submit([R, { ...NIT, severity: "minor" }], true)]),
      ],
    };
    const s = await startSampleStack("precision-fold", {
      models: scriptedModels(m),
      files: {
        ".github/triad.yml": "max_fix_rounds: 0\nprecision: { fold_minor_below: 0.5, min_judged: 4 }\n",
      },
    });
    stack = s;
    // Earlier on this repository, reviewer A's four findings were all overruled.
    const redis = new Redis(s.env.REDIS_URL);
    const store = redisPrecisionStore(redis, keys(s.env.TRIAD_REDIS_PREFIX));
    const earlier = ["k1", "k2", "k3", "k4"];
    await store.append(`${repo.owner}/${repo.repo}`, [
      {
        review: { v: 1, round: "old", model: A, findings: earlier.map((k) => ({ k, s: "minor" as const })) },
      },
      { outcome: { v: 1, round: "old", confirmed: [], fixed: [], overruled: earlier, rejected: [] } },
    ]);
    redis.disconnect();

    const issue = await toApprovedPlan(s);
    await waitFor("needs a human", () => /^Needs a human/.test(trackingNow(s, issue)), 60_000);
    await settled(s);
    const { reviews, comments } = await reviewsAndComments(s);
    const body = reviews.find((r) => (r.body ?? "").includes("Review 1 of 1"))?.body ?? "";
    expect(body).toMatch(
      /#### Minor points\n\n_Not inline: this reviewer's minor points are listed here while its precision on this repository is low._/,
    );
    expect(body).toMatch(/🟡 \*\*Minor\*\* · `src\/retry.ts` line \d+: RETRYABLE_STATUSES could be typed/);
    // The major stays inline.
    expect(comments.map((c) => c.body)).toEqual([
      expect.stringMatching(/Major[\s\S]*maxAttempts is not validated/),
    ]);
  });
});
