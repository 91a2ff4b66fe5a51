import { describe, expect, it } from "vitest";
import {
  contentHash,
  embedData,
  extractData,
  findingMarker,
  hasMarker,
  isOwnComment,
  marker,
  markerId,
  markerKey,
  markerKeysIn,
  replyMarker,
  reviewMarker,
  TRAILING_DATA_BLOCK,
  withoutData,
  withoutMarkers,
} from "../../src/core/markers.js";

describe("hidden markers (core/markers.ts)", () => {
  it("writes markers with and without an id", () => {
    expect(marker("tracking")).toBe("<!-- triad:tracking -->");
    expect(marker("error", "config-abc")).toBe("<!-- triad:error id=config-abc -->");
    expect(findingMarker("k1")).toBe("<!-- triad:finding id=k1 -->");
    expect(reviewMarker(1, "abc")).toBe("<!-- triad:review id=1-abc -->");
    expect(replyMarker(42)).toBe("<!-- triad:reply id=42 -->");
  });

  it("keys the markers that name one comment (WorkflowState.posted), parts too, data blocks and tracking not", () => {
    expect(markerKey(marker("architect", "turn-1"))).toBe("architect id=turn-1");
    const body = [
      marker("architect", "turn-1"),
      marker("plan", "v2"),
      "text quoting <!-- triad:plan id=v2 --> again",
      "<!-- triad:notify id=t1 part=2 -->",
      marker("tracking"),
      embedData("state", { v: 1 }),
    ].join("\n");
    expect(markerKeysIn(body)).toEqual(["architect id=turn-1", "plan id=v2", "notify id=t1 part=2"]);
    // A marker a listing could not key is one the interpreter must look for (src/shell/interpret.ts).
    expect(markerKeysIn("<!-- triad:error id=a b -->")).toEqual([]);
  });

  it("a body without the marker, or no body, has none", () => {
    expect(hasMarker("plain", "tracking")).toBe(false);
    expect(hasMarker(null, "tracking")).toBe(false);
    expect(hasMarker(undefined, "tracking")).toBe(false);
    expect(hasMarker(`a\n${marker("tracking")}`, "tracking")).toBe(true);
    expect(hasMarker(marker("tracking"), "state")).toBe(false);
  });

  it("reads the id of the first marker of a kind", () => {
    const body = `x ${marker("review", "0-abc")} ${findingMarker("key.1-a_b")} ${findingMarker("second")}`;
    expect(markerId(body, "finding")).toBe("key.1-a_b");
    expect(markerId(body, "review")).toBe("0-abc");
    expect(markerId(body, "reply")).toBeUndefined();
    expect(markerId(null, "finding")).toBeUndefined();
    expect(markerId(marker("finding"), "finding")).toBeUndefined();
  });

  it("the visible text of triad's comment has no markers or data", () => {
    const body = `${marker("tracking")}\nHello **there**\n${embedData("state", { a: 1 })}\n`;
    expect(withoutMarkers(body)).toBe("Hello **there**");
    expect(withoutMarkers(`  ${marker("plan", "v1")} text  `)).toBe("text");
  });
});

describe("embedded data", () => {
  it("is read only as the last thing in the comment", () => {
    const block = embedData("state", { n: 1 });
    expect(extractData(`text\n${block}\n\n  `, "state")).toEqual({ n: 1 });
    expect(extractData(`${block}\nmore text after`, "state")).toBeUndefined();
    expect(extractData(`text\n${block}`, "plan")).toBeUndefined();
    expect(extractData(null, "state")).toBeUndefined();
  });

  it("reads old plain-base64 blocks too, and a broken block is no data", () => {
    const plain = Buffer.from(JSON.stringify({ old: true }), "utf8").toString("base64");
    expect(extractData(`x <!-- triad:state-data ${plain} -->`, "state")).toEqual({ old: true });
    expect(extractData("x <!-- triad:state-data z.AAAA -->", "state")).toBeUndefined();
    expect(extractData("x <!-- triad:state-data bm90IGpzb24= -->", "state")).toBeUndefined();
  });

  it("the comment without its data block is what GitHub shows", () => {
    const shown = `${marker("plan", "v1")}\n## Plan`;
    const body = `${shown}\n\n${embedData("plan", { v: 1 })}\n`;
    expect(withoutData(body)).toBe(shown);
    expect(TRAILING_DATA_BLOCK.test(body)).toBe(true);
    expect(withoutData(shown)).toBe(shown);
    // a data block that is not at the end stays
    const middle = `${embedData("plan", { v: 1 })}\ntext`;
    expect(withoutData(middle)).toBe(middle);
    expect(TRAILING_DATA_BLOCK.test(middle)).toBe(false);
  });

  it("the data is compact: much shorter than its JSON for a repetitive plan", () => {
    const data = {
      steps: Array.from({ length: 50 }, (_, i) => ({
        title: `Step ${i}`,
        text: "the same words ".repeat(10),
      })),
    };
    expect(embedData("plan", data).length).toBeLessThan(JSON.stringify(data).length / 4);
  });
});

describe("whose comments carry trusted markers", () => {
  it("only the app's bot user", () => {
    expect(isOwnComment(null, "triad[bot]")).toBe(false);
    expect(isOwnComment(undefined, "triad[bot]")).toBe(false);
    expect(isOwnComment({ login: "triad[bot]" }, "triad[bot]")).toBe(false);
    expect(isOwnComment({ login: "other[bot]", type: "Bot" }, "triad[bot]")).toBe(false);
    expect(isOwnComment({ login: "triad[bot]", type: "Bot" }, "triad[bot]")).toBe(true);
  });

  it("a plan's hash changes with a single byte of its comment", () => {
    expect(contentHash("plan")).toBe(contentHash("plan"));
    expect(contentHash("plan")).not.toBe(contentHash("plan "));
    expect(contentHash("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});
