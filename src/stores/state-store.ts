import type { Redis } from "ioredis";
import { marker } from "../core/markers.js";
import { stateFromTrackingComment } from "../core/render/tracking.js";
import { type WorkflowState, workflowKey, workflowStateSchema } from "../core/state.js";
import type { GitHubClient, IssueRef } from "../github/client.js";
import { findOwnMarked, type IssueComment, listComments } from "../github/comments.js";

/**
 * The workflow state document. Redis holds the working copy; the tracking comment on GitHub holds
 * the same document as hidden data, so a flushed or restarted Redis loses no decision: the next event
 * rebuilds the state from the thread.
 */
export class StateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (workflow: string) => string,
  ) {}

  async load(
    gh: GitHubClient,
    ref: IssueRef,
    botLogin: string,
    comments?: IssueComment[],
  ): Promise<WorkflowState | undefined> {
    const key = this.keyOf(workflowKey(`${ref.owner}/${ref.repo}`, ref.issue_number));
    const cached = await this.redis.get(key);
    if (cached) {
      const parsed = workflowStateSchema.safeParse(JSON.parse(cached));
      if (parsed.success) return parsed.data;
    }
    const tracking = findOwnMarked(comments ?? (await listComments(gh, ref)), marker("tracking"), botLogin);
    const rebuilt = tracking ? stateFromTrackingComment(tracking.body ?? "", tracking.id) : undefined;
    if (rebuilt) await this.save(rebuilt);
    return rebuilt;
  }

  async save(state: WorkflowState): Promise<void> {
    await this.redis.set(this.keyOf(workflowKey(state.repo, state.issue)), JSON.stringify(state));
  }
}
