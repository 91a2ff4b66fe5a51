import { type WorkflowEvent, workflowEventSchema } from "../core/events.js";
import { nextEvent } from "../core/inbox-order.js";
import { workflowKey } from "../core/state.js";
import type { Keys } from "./names.js";
import type { RedisConnection } from "./redis.js";

/**
 * A workflow's inbox (ARCHITECTURE §7): its events in the order GitHub sent them, handled one at a
 * time under the workflow's lock. A sorted set scored by the time the webhook arrived, so an event
 * that finds the workflow busy waits its turn instead of overtaking ("please change step 2" is always
 * read before the "approved" that followed it). A delivery is taken once: a redelivery adds nothing.
 *
 * Two webhooks delivered back to back often arrive in the same millisecond, and a sorted set orders
 * equal scores by member: the member starts with the workflow's arrival count, zero-padded, so ties
 * keep arrival order instead of the order of the events' random delivery ids.
 */
const ACCEPT = `
if redis.call("set", KEYS[1], "1", "NX", "EX", ARGV[3]) then
  local seq = redis.call("incr", KEYS[3])
  redis.call("expire", KEYS[3], ARGV[3])
  redis.call("zadd", KEYS[2], ARGV[1], string.format("%016d", seq) .. "|" .. ARGV[2])
  return 1
end
return 0`;

/** The event's JSON in an inbox member (members written before the arrival count are JSON alone). */
function eventJson(member: string): string {
  return member.startsWith("{") ? member : member.slice(member.indexOf("|") + 1);
}

/** How long a delivery id is remembered (redeliveries within it add nothing). */
const SEEN_SECONDS = 8 * 24 * 3600;

export interface InboxEntry {
  event: WorkflowEvent;
  /** The raw member, to remove exactly this entry. */
  member: string;
}

export function workflowOf(event: Pick<WorkflowEvent, "repo" | "issue">): string {
  return workflowKey(`${event.repo.owner}/${event.repo.name}`, event.issue);
}

export class Inbox {
  constructor(
    private readonly redis: RedisConnection,
    private readonly k: Keys,
  ) {}

  /** Adds the event (once per delivery id). True when it was new. */
  async accept(event: WorkflowEvent, receivedAt: number): Promise<boolean> {
    const workflow = workflowOf(event);
    const added = await this.redis.eval(
      ACCEPT,
      3,
      this.k.seen(workflow, event.deliveryId),
      this.k.inbox(workflow),
      this.k.inboxSeq(workflow),
      String(receivedAt),
      JSON.stringify(event),
      String(SEEN_SECONDS),
    );
    return added === 1;
  }

  /** The event to handle next, if any: arrival order, comments in the order they were written (`nextEvent`). */
  async head(workflow: string): Promise<InboxEntry | undefined> {
    const members = await this.redis.zrange(this.k.inbox(workflow), "0", "-1");
    const entries: InboxEntry[] = [];
    for (const member of members) {
      const parsed = workflowEventSchema.safeParse(JSON.parse(eventJson(member)));
      if (parsed.success) entries.push({ event: parsed.data, member });
      else await this.remove(workflow, member);
    }
    return nextEvent(entries);
  }

  /** Every event waiting, oldest first (unreadable entries skipped). */
  async waiting(workflow: string): Promise<WorkflowEvent[]> {
    const members = await this.redis.zrange(this.k.inbox(workflow), "0", "-1");
    return members.flatMap((m) => {
      const parsed = workflowEventSchema.safeParse(JSON.parse(eventJson(m)));
      return parsed.success ? [parsed.data] : [];
    });
  }

  async remove(workflow: string, member: string): Promise<void> {
    await this.redis.zrem(this.k.inbox(workflow), member);
  }

  async size(workflow: string): Promise<number> {
    return this.redis.zcard(this.k.inbox(workflow));
  }
}
