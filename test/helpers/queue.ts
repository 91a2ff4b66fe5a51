import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { queuePrefix } from "../../src/queue/names.js";

/** Read-only look at one of triad's queues in a test (jobs by state, a job by id). */
export async function withQueue<T>(
  redisUrl: string,
  prefix: string,
  name: string,
  use: (q: Queue) => Promise<T>,
): Promise<T> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection: redis, prefix: queuePrefix(prefix) });
  try {
    return await use(queue);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

export async function allJobs(redisUrl: string, prefix: string, name: string) {
  return withQueue(redisUrl, prefix, name, (q) =>
    q.getJobs(["waiting", "delayed", "active", "completed", "failed", "prioritized"]),
  );
}
