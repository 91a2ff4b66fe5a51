import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { normaliseWebhook, type WorkflowEvent } from "../../src/core/events.js";
import { Inbox, workflowOf } from "../../src/queue/inbox.js";
import { keys } from "../../src/queue/names.js";
import { REDIS_URL, testPrefix } from "../helpers/redis.js";
import { webhookExample } from "../helpers/webhook-examples.js";

const redis = new Redis(REDIS_URL);
afterAll(() => redis.disconnect());

function comment(deliveryId: string, id: number, body: string): WorkflowEvent {
  const created = webhookExample("issue_comment", "created");
  const payload = { ...created, comment: { ...(created.comment as object), id, body } };
  const result = normaliseWebhook("issue_comment", deliveryId, payload);
  if (!("event" in result)) throw new Error(`ignored: ${result.ignored}`);
  return result.event;
}

describe("a workflow's inbox", () => {
  it("keeps arrival order for webhooks that arrived in the same millisecond, whatever their delivery ids", async () => {
    const inbox = new Inbox(redis, keys(testPrefix("inbox-order")));
    // Delivery ids are random GUIDs: "ffff…" sorts after "0000…", so a tie broken by the member
    // would put the approval first.
    const change = comment("ffffffff-change", 101, "Please change step 2.");
    const approval = comment("00000000-approval", 102, "approved");
    const at = Date.now();
    expect(await inbox.accept(change, at)).toBe(true);
    expect(await inbox.accept(approval, at)).toBe(true);
    // A redelivery adds nothing and does not move the event.
    expect(await inbox.accept(change, at + 5)).toBe(false);
    const workflow = workflowOf(change);
    expect((await inbox.waiting(workflow)).map((e) => e.deliveryId)).toEqual([
      "ffffffff-change",
      "00000000-approval",
    ]);
    const head = await inbox.head(workflow);
    expect(head?.event.deliveryId).toBe("ffffffff-change");
    if (head) await inbox.remove(workflow, head.member);
    expect((await inbox.head(workflow))?.event.deliveryId).toBe("00000000-approval");
  });

  it("still orders by arrival time first: a routed PR comment that arrived earlier goes first", async () => {
    const inbox = new Inbox(redis, keys(testPrefix("inbox-order")));
    const late = comment("a-late", 201, "approved");
    const early = comment("b-early", 200, "Please change step 2.");
    await inbox.accept(late, 2_000);
    await inbox.accept(early, 1_000);
    expect((await inbox.waiting(workflowOf(late))).map((e) => e.deliveryId)).toEqual(["b-early", "a-late"]);
  });
});

describe("comments delivered out of order (GitHub does not promise delivery order)", () => {
  it("an approval that arrived before the change request written just before it waits for it", async () => {
    const inbox = new Inbox(redis, keys(testPrefix("inbox-order")));
    const label = webhookExample("issues", "labeled");
    const labelled = normaliseWebhook("issues", "c-label", {
      ...label,
      label: { ...(label.label as object), name: "triad" },
    });
    const approval = comment("a-approval", 302, "approved");
    const change = comment("b-change", 301, "Please change step 2.");
    await inbox.accept(approval, 1_000);
    await inbox.accept(change, 1_010);
    if ("event" in labelled) await inbox.accept({ ...labelled.event, issue: approval.issue }, 1_020);
    const workflow = workflowOf(approval);
    const order: string[] = [];
    for (let head = await inbox.head(workflow); head; head = await inbox.head(workflow)) {
      order.push(head.event.deliveryId);
      await inbox.remove(workflow, head.member);
    }
    expect(order).toEqual(["b-change", "a-approval", "c-label"]);
  });
});
