import { describe, expect, it } from "vitest";
import { embedData, extractData, hasMarker, isOwnComment, marker } from "../../src/core/markers.js";
import { renderTrackingComment, stateFromTrackingComment } from "../../src/core/render/tracking.js";
import { type WorkflowState, workflowStateSchema } from "../../src/core/state.js";
import { modelText } from "../../src/text/sanitize.js";

const state: WorkflowState = workflowStateSchema.parse({
  v: 1,
  repo: "acme/weather-client",
  issue: 3,
  installationId: 7,
  phase: "planning",
  startedBy: "maya",
  startedAt: "2026-11-27T12:00:00.000Z",
  updatedAt: "2026-11-27T12:00:00.000Z",
  planVersion: 0,
  fixRound: 0,
  runId: "d-1",
  seenCommentId: 0,
  architectTurns: 0,
});

describe("markers", () => {
  it("round-trips data that contains comment terminators and markdown", () => {
    const data = { text: "--> <!-- triad:tracking --> **x**", n: 1 };
    const body = `hello\n${embedData("state", data)}\n`;
    expect(extractData(body, "state")).toEqual(data);
    expect(extractData("nothing here", "state")).toBeUndefined();
  });

  it("finds markers and trusts only the app's own comments", () => {
    expect(hasMarker(`x ${marker("error", "job-1")}`, "error", "job-1")).toBe(true);
    expect(hasMarker(`x ${marker("error", "job-1")}`, "error", "job-2")).toBe(false);
    expect(isOwnComment({ login: "triad[bot]", type: "Bot" }, "triad[bot]")).toBe(true);
    expect(isOwnComment({ login: "triad[bot]", type: "User" }, "triad[bot]")).toBe(false);
    expect(isOwnComment({ login: "mallory", type: "User" }, "triad[bot]")).toBe(false);
  });
});

describe("tracking comment", () => {
  it("shows the phase, the next step and carries the state for a rebuild", () => {
    const body = renderTrackingComment(state, modelText);
    expect(body).toContain(marker("tracking"));
    expect(body).toContain("The architect is reading the repository");
    expect(body).toMatch(/- \[ \] \*\*The architect plans.*⏳/);
    expect(stateFromTrackingComment(body, 77)).toEqual({ ...state, trackingCommentId: 77 });
  });

  it("ticks the steps that are done", () => {
    const body = renderTrackingComment(
      {
        ...state,
        phase: "reviewing",
        plan: { version: 2, commentId: 5, hash: "h" },
      },
      modelText,
    );
    expect(body).toMatch(/- \[x\] The architect plans/);
    expect(body).toMatch(/- \[x\] A maintainer approves/);
    expect(body).toMatch(/- \[ \] \*\*Reviewers/);
    expect(body).toContain("plan v2");
  });
});
