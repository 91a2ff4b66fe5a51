import { describe, expect, it } from "vitest";
import { onApproval } from "../../src/core/approval.js";
import type { CommentIntent } from "../../src/core/commands.js";
import type { CommentEvent, EventFacts, IssueEvent } from "../../src/core/event-facts.js";
import type { WorkflowEvent } from "../../src/core/events.js";
import { decideIssueEvent } from "../../src/core/issue-events.js";
import type { WorkflowState } from "../../src/core/state.js";
import { common, ctx, effectsOf, NOW, reviewing, state, step } from "../helpers/core-fixtures.js";

const decide = (s: WorkflowState | undefined, e: WorkflowEvent, facts: EventFacts = {}, config = "") =>
  decideIssueEvent(s, e as IssueEvent, facts, ctx(config));
const comment = (id: number, body = "x", login = "omar"): CommentEvent => ({
  kind: "comment_created",
  onPullRequest: false,
  comment: { id, body, author: { login, type: "User" }, createdAt: NOW },
  ...common,
});
const command = (name: Extract<CommentIntent, { type: "command" }>["name"]): CommentIntent => ({
  type: "command",
  name,
  args: "",
});
const replyOf = (d: { effects: { type: string }[] }) =>
  (d.effects.find((e) => e.type === "reply") as { body: string } | undefined)?.body;
const awaiting = (over: Partial<WorkflowState> = {}) =>
  state({
    phase: "awaiting-approval",
    plan: { version: 2, commentId: 100, hash: "h2" },
    seenCommentId: 100,
    ...over,
  });

describe("approving a plan (approval.ts)", () => {
  const approve = (s: WorkflowState, id: number, facts: EventFacts = {}) =>
    onApproval(s, comment(id, "approved"), { permission: "write", planCommentHash: "h2", ...facts }, ctx());

  it("starts the developer on a clean slate and names the branch after the frozen issue title", () => {
    const s = awaiting({
      plan: { version: 2, commentId: 100, hash: "h2", issue: { title: "Add retry!", body: "b", hash: "x" } },
      fixRound: 3,
      changes: [{ files: ["a"], components: [] }],
      raisedKeys: ["k"],
      roundNotes: [{ round: 1, sha: "s", summary: "x", files: [] }],
      reviewedSha: "abc",
      devSteps: [{ title: "t", done: true }],
      note: "old",
      phaseTimes: { planning: "2026-11-30T00:00:00.000Z" },
    });
    const d = approve(s, 120);
    expect(d.state).toMatchObject({
      phase: "implementing",
      updatedAt: NOW,
      note: undefined,
      branch: "triad/3-add-retry",
      fixRound: 0,
      changes: [],
      raisedKeys: [],
      roundNotes: [],
      reviewedSha: undefined,
      devSteps: undefined,
      failed: undefined,
      approved: { version: 2, commentId: 100, hash: "h2", by: "omar", approvalCommentId: 120 },
      phaseTimes: { planning: "2026-11-30T00:00:00.000Z", implementing: NOW },
    });
    const [enqueue] = effectsOf(d.effects, "enqueue");
    expect(enqueue?.step).toMatchObject({
      kind: "develop",
      round: 0,
      planVersion: 2,
      reason: "plan v2 approved",
    });
    expect(d.state?.queued).toEqual({
      jobId: enqueue?.jobId,
      label: "developer: implement plan v2",
      step: enqueue?.step,
    });
    expect(d.effects).toEqual([
      { type: "react", content: "+1", commentId: 120 },
      { type: "clear_pending" },
      { type: "enqueue", step: enqueue?.step, jobId: "develop-acme-weather-client-3-v2" },
    ]);
  });

  it("keeps the branch of an earlier approval; a plan without issue text gets a generic branch", () => {
    expect(approve(awaiting({ branch: "triad/3-first" }), 120).state?.branch).toBe("triad/3-first");
    expect(approve(awaiting(), 120).state?.branch).toBe("triad/3-change");
  });

  it("says which access the approver lacks", () => {
    expect(replyOf(approve(awaiting(), 120, { permission: "triage" }))).toBe(
      "@omar, only people with write, maintain or admin access can approve a plan (you have triage access). Nothing was started.",
    );
    expect(replyOf(approve(awaiting(), 120, { permission: undefined }))).toBe(
      "@omar, only people with write, maintain or admin access can approve a plan (you have no access). Nothing was started.",
    );
  });

  it("the same approval delivered twice is taken once", () => {
    const s = awaiting({
      approved: { version: 2, commentId: 100, hash: "h2", by: "omar", approvalCommentId: 120 },
    });
    expect(approve(s, 120).ignored).toBe("approval already taken");
  });

  it("says why there is nothing to approve", () => {
    const approved = { version: 1, commentId: 90, hash: "h1", by: "maya", approvalCommentId: 95 };
    expect(replyOf(approve(awaiting({ phase: "implementing", approved }), 120))).toBe(
      "@omar, there is no plan waiting for approval: plan v1 is already approved (by @maya).",
    );
    expect(replyOf(approve(awaiting({ phase: "planning" }), 120))).toBe(
      "@omar, there is no plan waiting for approval: the architect is revising plan v2 after a comment; approve the new version once it is posted.",
    );
    expect(replyOf(approve(state({ phase: "awaiting-approval" }), 120))).toBe(
      "@omar, there is no plan waiting for approval: the architect has not posted a plan yet.",
    );
  });

  it("an approval must be newer than the plan; the plan comment must be as posted", () => {
    expect(replyOf(approve(awaiting(), 99))).toBe(
      "@omar, this approval was written before plan v2 was posted, so it cannot approve it. Read plan v2 and reply `approved` again if it is right.",
    );
    // the comment carrying the plan itself is not before it
    expect(approve(awaiting(), 100).state?.phase).toBe("implementing");
    expect(replyOf(approve(awaiting(), 120, { planCommentHash: "other" }))).toBe(
      "@omar, plan v2's comment was edited after the architect posted it, so what you would approve is not what was planned. Comment `/triad replan` for a new version, or ask for the change in a comment.",
    );
    expect(replyOf(approve(awaiting(), 120, { planCommentHash: "missing" }))).toContain(
      "plan v2's comment was deleted after the architect posted it",
    );
  });
});

describe("commands on the issue (issue-events.ts)", () => {
  it("/triad log works on a finished workflow too, for writers only", () => {
    const done = reviewing({ phase: "merged" });
    const d = decide(done, comment(5), { intent: command("log"), permission: "write" });
    expect(replyOf(d)).toContain("No model call is recorded");
    expect(decide(done, comment(5), { intent: command("log"), permission: "read" }).ignored).toBe(
      "no running workflow on this issue",
    );
    expect(decide(done, comment(5), { intent: command("status"), permission: "write" }).ignored).toBe(
      "no running workflow on this issue",
    );
    expect(decide(undefined, comment(5), { intent: command("log"), permission: "write" }).ignored).toBe(
      "no running workflow on this issue",
    );
    // on a running workflow too
    expect(
      replyOf(decide(reviewing(), comment(5), { intent: command("log"), permission: "admin" })),
    ).toContain("No model call is recorded");
  });

  it("/triad fix and /triad ignore belong on the PR", () => {
    for (const name of ["fix", "ignore"] as const)
      expect(replyOf(decide(reviewing(), comment(5), { intent: command(name), permission: "write" }))).toBe(
        `\`/triad ${name}\` works on triad's pull request, once there is one.`,
      );
  });

  it("commands from people without write access get no reply", () => {
    const d = decide(reviewing(), comment(5), { intent: command("status"), permission: "triage" });
    expect(d.ignored).toBe("@omar may not give commands");
    expect(d.effects).toEqual([]);
  });

  it("/triad stop ends the workflow, says who stopped it and removes the label", () => {
    const d = decide(
      reviewing({ queued: { jobId: "j", label: "l", step: step({ kind: "review" }) } }),
      comment(5),
      {
        intent: command("stop"),
        permission: "write",
      },
    );
    expect(d.state).toMatchObject({
      phase: "stopped",
      note: "Stopped: omar said `/triad stop`.",
      queued: undefined,
    });
    expect(d.effects).toEqual([{ type: "request_stop" }, { type: "remove_issue_label", label: "triad" }]);
  });

  it("/triad replan in a resting or planning phase queues the architect; elsewhere it says when it can", () => {
    for (const phase of ["planning", "awaiting-approval", "needs-human", "ready"] as const) {
      const d = decide(reviewing({ phase, note: "x" }), comment(7), {
        intent: command("replan"),
        permission: "write",
      });
      expect(d.state).toMatchObject({ phase: "planning", note: undefined, updatedAt: NOW });
      const [enqueue] = effectsOf(d.effects, "enqueue");
      expect(enqueue?.step).toMatchObject({
        kind: "architect",
        mode: "turn",
        reason: "replan asked by omar",
      });
      expect(enqueue?.jobId).toBe("architect-acme-weather-client-3-replan-7");
      expect(d.state?.queued).toEqual({
        jobId: enqueue?.jobId,
        label: "architect: replan asked by omar",
        step: enqueue?.step,
      });
      expect(d.effects[0]).toEqual({ type: "react", content: "eyes", commentId: 7 });
    }
    for (const phase of ["implementing", "reviewing", "fixing"] as const)
      expect(
        replyOf(decide(reviewing({ phase }), comment(7), { intent: command("replan"), permission: "write" })),
      ).toBe(
        `The workflow is ${phase}; a replan can be asked for while planning, awaiting approval, ready or waiting for a human.`,
      );
  });

  it("/triad retry of a failed step: 👀, a new job id, the failure cleared", () => {
    const failed = {
      jobId: "develop-acme-weather-client-3-v1",
      label: "developer: implement plan v1",
      step: step({ kind: "develop" }),
      error: "boom",
    };
    const d = decide(reviewing({ phase: "implementing", failed, note: "failed" }), comment(9), {
      intent: command("retry"),
      permission: "write",
    });
    expect(d.state).toMatchObject({ failed: undefined, note: undefined, updatedAt: NOW });
    expect(d.state?.queued).toEqual({
      jobId: "develop-acme-weather-client-3-v1-retry-9",
      label: failed.label,
      step: failed.step,
    });
    expect(d.effects).toEqual([
      { type: "react", content: "eyes", commentId: 9 },
      { type: "enqueue", step: failed.step, jobId: "develop-acme-weather-client-3-v1-retry-9" },
    ]);
  });

  it("/triad retry with a step still on its queue or nothing at all says so", () => {
    const queued = { jobId: "j", label: "reviews of aaaaaaa", step: step({ kind: "review" }) };
    expect(
      replyOf(
        decide(reviewing({ queued }), comment(9), {
          intent: command("retry"),
          permission: "write",
          queuedJobExists: true,
        }),
      ),
    ).toBe("Nothing to retry: reviews of aaaaaaa is queued or running.");
    expect(
      replyOf(decide(reviewing({ queued }), comment(9), { intent: command("retry"), permission: "write" })),
    ).toBe("Nothing to retry: reviews of aaaaaaa is queued or running.");
    expect(replyOf(decide(reviewing(), comment(9), { intent: command("retry"), permission: "write" }))).toBe(
      "Nothing to retry: nothing has failed and nothing is waiting to run.",
    );
  });

  it("an unknown command is echoed back clipped to 80 characters, with the help", () => {
    const exact = "x".repeat(80);
    expect(
      replyOf(
        decide(reviewing(), comment(5), {
          intent: { type: "unknown_command", text: exact },
          permission: "write",
        }),
      ),
    ).toContain(`I don't know \`${exact}\`. Commands:\n`);
    const long = "y".repeat(81);
    expect(
      replyOf(
        decide(reviewing(), comment(5), {
          intent: { type: "unknown_command", text: long },
          permission: "write",
        }),
      ),
    ).toContain(`I don't know \`${"y".repeat(79)}…\`.`);
  });
});

describe("comments for the architect", () => {
  const collab = { intent: { type: "message" as const }, collaborator: true };

  it("a collaborator's comment while planning or awaiting approval starts a turn on it", () => {
    for (const phase of ["planning", "awaiting-approval"] as const) {
      const d = decide(awaiting({ phase, note: "x" }), comment(101), collab);
      expect(d.state).toMatchObject({ phase: "planning", note: undefined, updatedAt: NOW });
      const [enqueue] = effectsOf(d.effects, "enqueue");
      expect(enqueue?.step).toMatchObject({
        kind: "architect",
        mode: "turn",
        commentId: 101,
        reason: "read omar's comment",
      });
      expect(d.state?.queued).toEqual({
        jobId: enqueue?.jobId,
        label: "architect: read omar's comment",
        step: enqueue?.step,
      });
      expect(d.effects).toHaveLength(1);
    }
  });

  it("a comment already read, or in a later phase, starts nothing", () => {
    expect(decide(awaiting(), comment(100), collab).ignored).toBe(
      "the architect has already read this comment",
    );
    expect(decide(awaiting(), comment(99), collab).ignored).toBe(
      "the architect has already read this comment",
    );
    for (const phase of ["implementing", "reviewing", "fixing", "ready", "needs-human"] as const)
      expect(decide(reviewing({ phase }), comment(500), collab).ignored).toBe(
        `comments do not drive the ${phase} phase`,
      );
  });

  it("with `commenters: anyone`, a stranger's comment is read too", () => {
    const d = decide(awaiting(), comment(101), { intent: { type: "message" } }, "commenters: anyone\n");
    expect(effectsOf(d.effects, "enqueue")).toHaveLength(1);
  });

  it("a comment with no intent read is a message", () => {
    expect(
      effectsOf(decide(awaiting(), comment(101), { collaborator: true }).effects, "enqueue"),
    ).toHaveLength(1);
  });
});

describe("labels, closes and edits", () => {
  const labeled = (label: string): WorkflowEvent => ({ kind: "issue_labeled", label, ...common });
  const unlabeled = (label: string): WorkflowEvent => ({ kind: "issue_unlabeled", label, ...common });

  it("says why a label starts nothing", () => {
    expect(decide(undefined, labeled("bug")).ignored).toBe('label "bug" is not the trigger');
    expect(decide(reviewing(), labeled("triad")).ignored).toBe("the workflow is already running");
    expect(decide(undefined, labeled("triad"), { labelPresent: false }).ignored).toBe(
      "the trigger label is no longer on the issue",
    );
    for (const permission of ["read", "none"] as const)
      expect(decide(undefined, labeled("triad"), { permission }).ignored).toBe(
        `@maya may not start a workflow (${permission} access)`,
      );
    for (const permission of ["triage", "write", "maintain", "admin"] as const)
      expect(decide(undefined, labeled("triad"), { permission }).state?.phase).toBe("planning");
  });

  it("a restart keeps the counters and the usage of the run before, and starts the clock again", () => {
    const usage = { version: 1 as const, lines: [] };
    const before = reviewing({
      phase: "stopped",
      planVersion: 2,
      seenCommentId: 140,
      architectTurns: 4,
      usage,
      fixRound: 2,
      phaseTimes: { ready: "t" },
    });
    const d = decide(before, labeled("triad"));
    expect(d.state).toMatchObject({
      phase: "planning",
      planVersion: 2,
      seenCommentId: 140,
      architectTurns: 4,
      usage,
      fixRound: 0,
      runId: "d-1",
    });
    expect(d.state?.phaseTimes).toEqual({ planning: NOW });
    const fresh = decide(undefined, labeled("triad"));
    expect(fresh.state).toMatchObject({ planVersion: 0, seenCommentId: 0, architectTurns: 0 });
    expect(fresh.effects).toEqual([
      { type: "react", content: "eyes" },
      {
        type: "enqueue",
        step: expect.objectContaining({ kind: "architect", reason: "read the issue" }),
        jobId: "architect-acme-weather-client-3-start-d-1",
      },
    ]);
  });

  it("removing the trigger label stops the run and says who removed it; another label changes nothing", () => {
    const d = decide(reviewing(), unlabeled("triad"));
    expect(d.state).toMatchObject({
      phase: "stopped",
      note: "Stopped: the `triad` label was removed by maya.",
    });
    expect(d.effects).toEqual([{ type: "request_stop" }]);
    expect(decide(reviewing(), unlabeled("bug")).ignored).toBe("another label was removed");
    expect(decide(reviewing({ phase: "stopped" }), unlabeled("triad")).ignored).toBe("no running workflow");
  });

  it("closing the issue while the PR is open only notes it; after the PR ended it stops", () => {
    const closed: WorkflowEvent = { kind: "issue_closed", ...common };
    const d = decide(reviewing({ phase: "fixing" }), closed);
    expect(d.state).toMatchObject({ phase: "fixing", note: "The issue was closed by maya.", updatedAt: NOW });
    expect(d.effects).toEqual([]);
    expect(d.tracking).toBe(true);
    for (const phase of ["stopped", "merged", "closed"] as const)
      expect(decide(reviewing({ phase }), closed).ignored).toBe("no running workflow");
    expect(decide(state(), closed).state).toMatchObject({
      phase: "stopped",
      note: "Stopped: the issue was closed by maya.",
    });
  });

  it("an edit is noted only on a live workflow that has a plan", () => {
    const edited: WorkflowEvent = { kind: "issue_edited", ...common };
    expect(decide(awaiting(), edited).state?.issueEditedSincePlan).toBe(true);
    expect(decide(undefined, edited).ignored).toMatch(/before any plan/);
    expect(decide(awaiting({ phase: "stopped" }), edited).ignored).toMatch(/before any plan/);
    expect(decide(awaiting({ issueEditedSincePlan: true }), edited).ignored).toMatch(/already noted/);
  });
});
