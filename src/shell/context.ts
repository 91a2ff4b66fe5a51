import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.js";
import type { DecideContext } from "../core/context.js";
import type { WorkflowEvent } from "../core/events.js";
import { workflowKey } from "../core/state.js";
import { TriadError } from "../errors.js";
import type { Admission } from "../github/admission.js";
import type { DefaultBranchRunsCache } from "../github/ci-checks.js";
import type { IssueComment } from "../github/comments.js";
import type { RecentPermissions } from "../github/permissions.js";
import type { DiffCache } from "../github/pull-diff.js";
import type { RepoConfigCache } from "../github/repo-config.js";
import type { GitHubTime } from "../github/time.js";
import type { ModelProvider } from "../models/provider.js";
import type { Clock } from "../ports/clock.js";
import type { Faults } from "../ports/faults.js";
import type { GitHubClient, IssueRef } from "../ports/github.js";
import type { PrecisionStore } from "../ports/precision.js";
import type { StepQueue } from "../ports/queue.js";
import type {
  CallLogStore,
  Fence,
  FindingsStore,
  OutboxStore,
  SpendStore,
  StateStore,
  StepResultStore,
  StopFlags,
} from "../ports/stores.js";
import type { SnapshotCache } from "../repo/snapshot.js";
import { modelText } from "../text/sanitize.js";
import { abortable } from "./abortable.js";
import type { ContractCache } from "./contracts.js";

/** The inbox as the shell sees it (src/queue/inbox.ts). */
export interface EventInbox {
  head(workflow: string): Promise<{ event: WorkflowEvent; member: string } | undefined>;
  remove(workflow: string, member: string): Promise<void>;
  /** The events waiting, oldest first (to see a `/triad stop` while a step holds the lock). */
  waiting?(workflow: string): Promise<WorkflowEvent[]>;
}

/** Everything the shell needs, wired once per process (src/runtime.ts). */
export interface ShellDeps {
  stores: {
    state: StateStore;
    outbox: OutboxStore;
    results: StepResultStore;
    findings: FindingsStore;
    spend: SpendStore;
    /** Every model call of a step, for `/triad log`. */
    calls: CallLogStore;
    stops?: StopFlags;
    /** Reviewer precision per repository (absent: not recorded, not shown). */
    precision?: PrecisionStore;
  };
  queue: StepQueue;
  inbox: EventInbox;
  /** Put an event (a routed PR comment) into its workflow's inbox. */
  accept(event: WorkflowEvent, receivedAt: number): Promise<void>;
  /** An installation client for the installation. */
  github(installationId: number): Promise<GitHubClient>;
  botLogin: string;
  log: Logger;
  clock: Clock;
  models: ModelProvider;
  snapshots: SnapshotCache;
  faults: Faults;
  /** The deployment's model variables, to check the repository's model choice at start. */
  modelEnv: NodeJS.ProcessEnv;
  /** Repository config and default branch kept between steps (src/github/repo-config.ts). */
  repoConfig?: RepoConfigCache;
  /** The default branch's role contracts, kept as long as the config (src/shell/contracts.ts). */
  contracts?: ContractCache;
  /** Turns per installation: how many workflows run steps at once (src/github/admission.ts). */
  admission?: Admission;
  /** The default branch's check runs read a few minutes ago, for the CI gate (src/github/ci-checks.ts). */
  defaultBranchRuns?: DefaultBranchRunsCache;
  /** Roles read a moment ago, for the architect's thread filter (src/github/permissions.ts). */
  recentPermissions?: RecentPermissions;
  /** Review diffs by the shas that pin them, shared by the reviewers and the aggregate of a sha. */
  diffs?: DiffCache;
  /** GitHub's clock as this worker keeps it (the simulator's time scale; default real time). */
  githubTime?: GitHubTime;
}

/** One job's view of one workflow: the client, the issue, the lock's signal. */
export interface WorkflowContext {
  deps: ShellDeps;
  gh: GitHubClient;
  ref: IssueRef;
  repo: { owner: string; repo: string };
  workflow: string;
  installationId: number;
  jobId: string;
  /** Aborted when the workflow lock is lost: nothing is written after that. */
  signal: AbortSignal;
  /** The workflow lock this job holds: the state is saved only while it is still held. */
  fence?: Fence;
  log: Logger;
  /**
   * What this job has read of the issue, kept for the job (the issue's comments: read once, and
   * triad's own comments of this job added as they are posted). Used to find triad's own marked
   * comments, which only this job writes while it holds the lock.
   */
  /** In a drain of the inbox: whether events wait after the one being handled. */
  moreEvents?: () => Promise<boolean>;
  memo: {
    comments?: IssueComment[];
    /** triad's marked comments on the issue this job wrote (`WorkflowState.posted`'s keys and ids). */
    posted?: Record<string, number>;
    /** The issue as a start read it before the state (`readIssueBeforeState`), taken once by its facts. */
    issue?: { labels: Array<string | { name?: string }>; comments: number };
  };
}

export async function workflowContext(
  deps: ShellDeps,
  at: { installationId: number; repo: { owner: string; name: string }; issue: number; runId?: string },
  job: { jobId: string; signal: AbortSignal; fence?: Fence },
): Promise<WorkflowContext> {
  const repo = { owner: at.repo.owner, repo: at.repo.name };
  const workflow = workflowKey(`${repo.owner}/${repo.repo}`, at.issue);
  // A step of a run checks before each GitHub call whether a maintainer stopped the run.
  const runId = at.runId;
  const stops = deps.stores.stops;
  const stopCheck =
    runId !== undefined && stops
      ? async () => {
          if (await stops.requested(workflow, runId))
            throw new TriadError("stopped", `${workflow}: stopped by a maintainer`);
        }
      : undefined;
  return {
    deps,
    gh: abortable(await deps.github(at.installationId), job.signal, stopCheck),
    ref: { ...repo, issue_number: at.issue },
    repo,
    workflow,
    installationId: at.installationId,
    jobId: job.jobId,
    signal: job.signal,
    ...(job.fence ? { fence: job.fence } : {}),
    log: deps.log.child({ workflow, job: job.jobId }),
    memo: {},
  };
}

export function decideContext(w: WorkflowContext, config: RepoConfig): DecideContext {
  return { config, now: w.deps.clock.now().toISOString(), text: modelText };
}
