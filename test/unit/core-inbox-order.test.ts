import { describe, expect, it } from "vitest";
import type { WorkflowEvent } from "../../src/core/events.js";
import { nextEvent } from "../../src/core/inbox-order.js";
import { common } from "../helpers/core-fixtures.js";

const commentOf = (deliveryId: string, id: number): { event: WorkflowEvent } => ({
  event: {
    ...common,
    deliveryId,
    kind: "comment_created",
    onPullRequest: false,
    comment: { id, body: "x", author: { login: "maya", type: "User" }, createdAt: "2026-12-01T12:00:00Z" },
  } as WorkflowEvent,
});
const labelOf = (deliveryId: string): { event: WorkflowEvent } => ({
  event: { ...common, deliveryId, kind: "issue_labeled", label: "triad" } as WorkflowEvent,
});
const ids = (e: { event: WorkflowEvent } | undefined) => e?.event.deliveryId;

describe("nextEvent: which waiting event goes next", () => {
  it("nothing waiting: nothing", () => {
    expect(nextEvent([])).toBeUndefined();
  });
  it("a comment that arrived first gives way to a comment written before it", () => {
    expect(ids(nextEvent([commentOf("late", 12), labelOf("label"), commentOf("early", 11)]))).toBe("early");
  });
  it("comments in the order they were written stay in arrival order", () => {
    expect(ids(nextEvent([commentOf("a", 11), commentOf("b", 12)]))).toBe("a");
  });
  it("an event that is no comment keeps its place at the head", () => {
    expect(ids(nextEvent([labelOf("label"), commentOf("b", 12), commentOf("a", 11)]))).toBe("label");
  });
});
