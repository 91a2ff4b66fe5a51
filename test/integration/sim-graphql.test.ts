import type { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type GitHubSimulator,
  SIM_LENIENT_DEFAULTS,
  startSimulator,
  startWebhookReceiver,
  type WebhookReceiver,
} from "../../src/sim/github/index.js";
import { installationClient, userClient } from "../helpers/sim-clients.js";

let sim: GitHubSimulator;
let receiver: WebhookReceiver;
let gh: Octokit;
const repo = { owner: "acme", repo: "widgets" };

type GraphqlError = { errors?: Array<{ type?: string; message: string }> };

/** The GraphQL errors a call failed with (octokit's GraphqlResponseError), or [] when it succeeded. */
async function errorsOf(p: Promise<unknown>): Promise<NonNullable<GraphqlError["errors"]>> {
  try {
    await p;
    return [];
  } catch (error) {
    return (error as GraphqlError).errors ?? [];
  }
}

const READY = `mutation($id: ID!) {
  markPullRequestReadyForReview(input: { pullRequestId: $id, clientMutationId: "m1" }) {
    clientMutationId
    pullRequest { id number isDraft state }
  }
}`;

beforeEach(async () => {
  receiver = await startWebhookReceiver("x");
  sim = await startSimulator({ webhookSecret: "x", webhookUrl: receiver.url, ...SIM_LENIENT_DEFAULTS });
  const { headSha } = sim.createRepo({ owner: "acme", name: "widgets", files: { "a.ts": "a\n" } });
  gh = await installationClient(sim, sim.installApp("acme").installationId);
  const { data: tree } = await gh.rest.git.createTree({
    ...repo,
    tree: [{ path: "b.ts", mode: "100644", content: "b\n" }],
  });
  const { data: commit } = await gh.rest.git.createCommit({
    ...repo,
    message: "b",
    tree: tree.sha,
    parents: [headSha],
  });
  await gh.rest.git.createRef({ ...repo, ref: "refs/heads/b", sha: commit.sha });
});
afterEach(async () => {
  await sim.stop();
  await receiver.close();
});

describe("simulator: draft pull requests and GraphQL", () => {
  it("a draft PR turns ready for review through markPullRequestReadyForReview, which sends pull_request.ready_for_review", async () => {
    const { data: pr } = await gh.rest.pulls.create({
      ...repo,
      title: "wip",
      head: "b",
      base: "main",
      draft: true,
    });
    expect(pr.draft).toBe(true);
    const result = await gh.graphql<{
      markPullRequestReadyForReview: {
        clientMutationId: string;
        pullRequest: { id: string; isDraft: boolean };
      };
    }>(READY, { id: pr.node_id });
    expect(result.markPullRequestReadyForReview).toEqual({
      clientMutationId: "m1",
      pullRequest: { id: pr.node_id, number: pr.number, isDraft: false, state: "OPEN" },
    });
    expect((await gh.rest.pulls.get({ ...repo, pull_number: pr.number })).data.draft).toBe(false);
    await sim.waitForIdle();
    const events = receiver.received.filter((r) => r.event === "pull_request").map((r) => r.payload.action);
    expect(events).toEqual(["opened", "ready_for_review"]);
    expect(receiver.received.at(-1)?.payload.pull_request).toMatchObject({ draft: false });
    // Again on a PR that is ready: nothing changes, nothing is sent.
    await gh.graphql(READY, { id: pr.node_id });
    await sim.waitForIdle();
    expect(receiver.received.filter((r) => r.payload.action === "ready_for_review")).toHaveLength(1);
  });

  it("GitHub's errors: an unknown id is NOT_FOUND, a read-only user FORBIDDEN, an unknown field a validation error", async () => {
    const { data: pr } = await gh.rest.pulls.create({
      ...repo,
      title: "wip",
      head: "b",
      base: "main",
      draft: true,
    });
    const unknown = await errorsOf(gh.graphql(READY, { id: "nope" }));
    expect(unknown).toEqual([
      expect.objectContaining({
        type: "NOT_FOUND",
        message: "Could not resolve to a node with the global id of 'nope'.",
      }),
    ]);
    const reader = userClient(sim, sim.createUser("reader").token);
    sim.addCollaborator("acme/widgets", "reader", "read");
    const forbidden = await errorsOf(reader.graphql(READY, { id: pr.node_id }));
    expect(forbidden[0]).toMatchObject({ type: "FORBIDDEN" });
    const invalid = await errorsOf(gh.graphql("{ viewer { login } }"));
    expect(invalid[0]?.message).toMatch(/viewer/);
    const { data } = await gh.rest.pulls.get({ ...repo, pull_number: pr.number });
    expect(data.draft).toBe(true);
  });
});
