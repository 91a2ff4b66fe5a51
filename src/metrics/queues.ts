import type { Job, Queue, Worker } from "bullmq";
import type { Queues } from "../queue/queues.js";
import type { TriadMetrics } from "./metrics.js";

const STATES = ["waiting", "active", "delayed", "prioritized", "waiting-children", "failed"] as const;

export function allQueues(queues: Queues): Queue[] {
  return [queues.events, ...Object.values(queues.steps)];
}

/** Queue depths per queue and state, read from Redis at every scrape (one call per queue). */
export function watchQueueDepths(metrics: TriadMetrics, queues: Queues, prefix: string): void {
  metrics.watchQueues(prefix, async () => {
    const counts: Record<string, Record<string, number>> = {};
    await Promise.all(
      allQueues(queues).map(async (q) => {
        counts[q.name] = await q.getJobCounts(...STATES);
      }),
    );
    return counts;
  });
}

/** How long each job ran (BullMQ's own processedOn → finishedOn), per queue and outcome. */
export function meterJobs(metrics: TriadMetrics, workers: Worker[]): void {
  for (const worker of workers) {
    const observe = (job: Job | undefined, outcome: string) => {
      if (!job?.processedOn || !job.finishedOn) return;
      metrics.jobDuration.observe({ queue: worker.name, outcome }, (job.finishedOn - job.processedOn) / 1000);
    };
    worker.on("completed", (job) => observe(job, "completed"));
    worker.on("failed", (job) => observe(job, "failed"));
  }
}
