import { describe, expect, it } from "vitest";
import { canWrite, isCollaborator, PERMISSIONS } from "../../src/core/permissions.js";
import {
  retryJobId,
  reviewerJobId,
  stepJobId,
  stepJobSchema,
  stepLabel,
  stepOfJob,
  UNLOCKED_KINDS,
} from "../../src/core/steps.js";
import { step } from "../helpers/core-fixtures.js";

describe("step job ids (core/steps.ts)", () => {
  it("names the step, so the same step enqueued twice has one id", () => {
    const s = step({ kind: "develop" });
    expect(stepJobId(s, "v2")).toBe("develop-acme-weather-client-3-v2");
    expect(stepJobId(s, "v2")).toBe(stepJobId(step({ kind: "develop", reason: "other", round: 3 }), "v2"));
  });

  it("replaces characters a queue id cannot carry", () => {
    const s = step({ kind: "review", repo: { owner: "my org", name: "a/b:c" } });
    expect(stepJobId(s, "sha#1")).toBe("review-my_org-a_b_c-3-sha_1");
    // dots, dashes and underscores are kept
    expect(stepJobId(step({ kind: "architect", repo: { owner: "a.b", name: "c_d-e" } }), "k.1")).toBe(
      "architect-a.b-c_d-e-3-k.1",
    );
  });

  it("a retry gets a new id every time, and retrying a retry does not stack suffixes", () => {
    const first = retryJobId("develop-acme-w-3-v1", "k1");
    expect(first).toBe("develop-acme-w-3-v1-retry-k1");
    expect(retryJobId(first, "k2")).toBe("develop-acme-w-3-v1-retry-k2");
    expect(retryJobId("develop-acme-w-3-v1", "a b")).toBe("develop-acme-w-3-v1-retry-a_b");
    // a "-retry" that is not the suffix is left alone
    expect(retryJobId("architect-acme-w-3-retry", "k")).toBe("architect-acme-w-3-retry-retry-k");
  });

  it("a reviewer's job belongs to its review round's step", () => {
    const parent = "review-acme-w-3-abc";
    expect(reviewerJobId(parent, 1)).toBe("review-acme-w-3-abc-r1");
    expect(stepOfJob(reviewerJobId(parent, 0))).toBe(parent);
    expect(stepOfJob(reviewerJobId(parent, 12))).toBe(parent);
    expect(stepOfJob(parent)).toBe(parent);
    expect(stepOfJob("review-acme-w-3-r1x")).toBe("review-acme-w-3-r1x");
    expect(stepOfJob("review-r1-w-3-abc")).toBe("review-r1-w-3-abc");
  });

  it("only reviewers run without the workflow lock", () => {
    expect([...UNLOCKED_KINDS]).toEqual(["review_one"]);
  });
});

describe("step labels, as the tracking comment shows them", () => {
  it("the developer's first implementation and its fix rounds", () => {
    expect(stepLabel(step({ kind: "develop", round: 0, planVersion: 2 }))).toBe(
      "developer: implement plan v2",
    );
    expect(stepLabel(step({ kind: "develop", planVersion: 2 }))).toBe("developer: implement plan v2");
    expect(stepLabel(step({ kind: "develop" }))).toBe("developer: implement plan v?");
    expect(stepLabel(step({ kind: "develop", round: 3, planVersion: 2 }))).toBe("developer: fix round 3");
  });

  it("reviews name the short head sha and the reviewer counted from one", () => {
    const headSha = "0123456789abcdef";
    expect(stepLabel(step({ kind: "review", headSha }))).toBe("reviews of 0123456");
    expect(stepLabel(step({ kind: "review_one", headSha, slot: 1 }))).toBe("reviewer 2 on 0123456");
    expect(stepLabel(step({ kind: "review_one", headSha }))).toBe("reviewer 1 on 0123456");
    expect(stepLabel(step({ kind: "review" }))).toBe("reviews of ?");
  });

  it("the architect's label is its reason", () => {
    expect(stepLabel(step({ kind: "architect", reason: "issue labelled" }))).toBe(
      "architect: issue labelled",
    );
  });
});

describe("the step job schema at the queue boundary", () => {
  it("takes a well-formed job and refuses a bad round, reviewer count or issue", () => {
    const ok = step({ kind: "review_one", slot: 0, reviewers: 2, round: 0 });
    expect(stepJobSchema.parse(ok)).toEqual(ok);
    expect(stepJobSchema.safeParse({ ...ok, round: -1 }).success).toBe(false);
    expect(stepJobSchema.safeParse({ ...ok, reviewers: 3 }).success).toBe(false);
    expect(stepJobSchema.safeParse({ ...ok, reviewers: 0 }).success).toBe(false);
    expect(stepJobSchema.safeParse({ ...ok, slot: -1 }).success).toBe(false);
    expect(stepJobSchema.safeParse({ ...ok, issue: 0 }).success).toBe(false);
    expect(stepJobSchema.safeParse({ ...ok, kind: "deploy" }).success).toBe(false);
    expect(stepJobSchema.safeParse({ ...ok, mode: "spiral" }).success).toBe(true);
    expect(stepJobSchema.safeParse({ ...ok, mode: "chat" }).success).toBe(false);
  });
});

describe("permissions (core/permissions.ts)", () => {
  it("write, maintain and admin may approve and command; the others may not", () => {
    const writers = PERMISSIONS.filter(canWrite);
    expect(writers).toEqual(["admin", "maintain", "write"]);
  });

  it("every role but none is a collaborator", () => {
    expect(PERMISSIONS.filter(isCollaborator)).toEqual(["admin", "maintain", "write", "triage", "read"]);
  });
});
