/**
 * `POST /graphql`: the slice of GitHub's GraphQL API that has no REST twin and triad needs — turning
 * a draft pull request ready for review. "Draft → ready for review exists only in GraphQL
 * (`markPullRequestReadyForReview`)" (STACK-NOTES; the REST update-a-pull-request has no `draft`
 * field in @octokit/openapi). Queries are parsed and validated by graphql-js against a small subset
 * of GitHub's schema (names and shapes from docs.github.com/graphql: `Node`, `PullRequest.isDraft`,
 * `MarkPullRequestReadyForReviewInput { pullRequestId, clientMutationId }`,
 * `ConvertPullRequestToDraftInput`). Errors carry GitHub's `type` (`NOT_FOUND`, `FORBIDDEN`) and, for
 * an unknown id, its message "Could not resolve to a node with the global id of '…'".
 */
import { buildSchema, GraphQLError, graphql } from "graphql";
import { repoPermission } from "../auth.js";
import {
  bodyObject,
  HttpError,
  type Reply,
  type Request,
  type Route,
  route,
  type SimContext,
} from "../http.js";
import { pullJson } from "../payloads.js";
import { PERMISSION_RANK, type PullRequest, type Repo } from "../state.js";

const SCHEMA = buildSchema(`
  interface Node { id: ID! }
  enum PullRequestState { OPEN CLOSED MERGED }
  type PullRequest implements Node {
    id: ID!
    number: Int!
    title: String!
    isDraft: Boolean!
    state: PullRequestState!
  }
  type Repository implements Node {
    id: ID!
    name: String!
    pullRequest(number: Int!): PullRequest
  }
  input MarkPullRequestReadyForReviewInput { pullRequestId: ID! clientMutationId: String }
  type MarkPullRequestReadyForReviewPayload { clientMutationId: String pullRequest: PullRequest }
  input ConvertPullRequestToDraftInput { pullRequestId: ID! clientMutationId: String }
  type ConvertPullRequestToDraftPayload { clientMutationId: String pullRequest: PullRequest }
  type Query {
    node(id: ID!): Node
    repository(owner: String!, name: String!): Repository
  }
  type Mutation {
    markPullRequestReadyForReview(input: MarkPullRequestReadyForReviewInput!): MarkPullRequestReadyForReviewPayload
    convertPullRequestToDraft(input: ConvertPullRequestToDraftInput!): ConvertPullRequestToDraftPayload
  }
`);

/** The simulator's node ids are base64 of `0<len>:<Type><id>` (payloads.ts `nodeId`). */
function decodeNodeId(id: string): { type: string; id: number } | undefined {
  const m = /^0\d+:([A-Za-z]+?)(\d+)$/.exec(Buffer.from(id, "base64").toString("utf8"));
  return m ? { type: m[1] as string, id: Number(m[2]) } : undefined;
}

function notFound(id: string): GraphQLError {
  return new GraphQLError(`Could not resolve to a node with the global id of '${id}'.`, {
    extensions: { type: "NOT_FOUND" },
  });
}

function findPull(sim: SimContext, id: string): { repo: Repo; pr: PullRequest } | undefined {
  const node = decodeNodeId(id);
  if (node?.type !== "PullRequest") return undefined;
  for (const repo of sim.state.repos.values()) {
    for (const pr of repo.pulls.values()) if (pr.id === node.id) return { repo, pr };
  }
  return undefined;
}

function pullNode(sim: SimContext, repo: Repo, pr: PullRequest) {
  const json = pullJson(sim, repo, pr, false);
  const issue = repo.issues.get(pr.number);
  return {
    __typename: "PullRequest",
    id: json.node_id,
    number: pr.number,
    title: issue?.title ?? "",
    isDraft: pr.draft,
    state: pr.merged ? "MERGED" : issue?.state === "closed" ? "CLOSED" : "OPEN",
  };
}

function rootFor(req: Request, sim: SimContext) {
  const visible = (repo: Repo) => !repo.private || repoPermission(repo, req.actor) !== "none";
  const writable = (repo: Repo) => PERMISSION_RANK[repoPermission(repo, req.actor)] >= PERMISSION_RANK.write;
  const setDraft = (input: { pullRequestId: string; clientMutationId?: string }, draft: boolean) => {
    const hit = findPull(sim, input.pullRequestId);
    if (!hit || !visible(hit.repo)) throw notFound(input.pullRequestId);
    const { repo, pr } = hit;
    if (!writable(repo) || !req.actor || req.actor.kind === "app") {
      throw new GraphQLError("Resource not accessible by integration", { extensions: { type: "FORBIDDEN" } });
    }
    if (pr.draft !== draft) {
      pr.draft = draft;
      const issue = repo.issues.get(pr.number);
      if (issue) issue.updatedAt = sim.state.now();
      // docs.github.com, Webhook events and payloads: pull_request.ready_for_review /
      // converted_to_draft.
      sim.emit(
        repo,
        "pull_request",
        {
          action: draft ? "converted_to_draft" : "ready_for_review",
          number: pr.number,
          pull_request: pullJson(sim, repo, pr),
        },
        req.actor.user,
      );
    }
    return { clientMutationId: input.clientMutationId ?? null, pullRequest: pullNode(sim, repo, pr) };
  };
  return {
    node: ({ id }: { id: string }) => {
      const hit = findPull(sim, id);
      return hit && visible(hit.repo) ? pullNode(sim, hit.repo, hit.pr) : null;
    },
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repo = sim.state.findRepo(owner, name);
      if (!repo || !visible(repo)) return null;
      return {
        __typename: "Repository",
        id: Buffer.from(`010:Repository${repo.id}`).toString("base64"),
        name: repo.name,
        pullRequest: ({ number }: { number: number }) => {
          const pr = repo.pulls.get(number);
          return pr ? pullNode(sim, repo, pr) : null;
        },
      };
    },
    markPullRequestReadyForReview: ({
      input,
    }: {
      input: { pullRequestId: string; clientMutationId?: string };
    }) => setDraft(input, false),
    convertPullRequestToDraft: ({ input }: { input: { pullRequestId: string; clientMutationId?: string } }) =>
      setDraft(input, true),
  };
}

async function handle(req: Request, sim: SimContext): Promise<Reply> {
  if (!req.actor) {
    throw new HttpError(
      401,
      "This endpoint requires you to be authenticated.",
      undefined,
      "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
    );
  }
  const body = bodyObject(req);
  if (typeof body.query !== "string") {
    return {
      status: 200,
      body: { errors: [{ message: "A query attribute must be specified and must be a string." }] },
    };
  }
  const result = await graphql({
    schema: SCHEMA,
    source: body.query,
    rootValue: rootFor(req, sim),
    variableValues: (body.variables as Record<string, unknown> | undefined) ?? {},
    ...(typeof body.operationName === "string" ? { operationName: body.operationName } : {}),
  });
  const errors = result.errors?.map((e) => ({
    ...(typeof e.extensions?.type === "string" ? { type: e.extensions.type } : {}),
    ...(e.path ? { path: e.path } : {}),
    ...(e.locations ? { locations: e.locations } : {}),
    message: e.message,
  }));
  return {
    status: 200,
    body: { ...(result.data !== undefined ? { data: result.data } : {}), ...(errors ? { errors } : {}) },
  };
}

export const graphqlRoutes: Route[] = [route("POST", "/graphql", handle)];
