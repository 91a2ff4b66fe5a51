import type { Logger } from "pino";
import type { Probot } from "probot";
import { normaliseWebhook } from "./core/events.js";
import type { TriadMetrics } from "./metrics/metrics.js";
import { acceptEvent, type Queues } from "./queue/queues.js";

export interface AppDeps {
  queues: Queues;
  log: Logger;
  metrics?: TriadMetrics | undefined;
}

/**
 * The probot app: routes webhooks to the workflow's queue, nothing else. It makes no GitHub call and
 * no model call (GitHub gives up after 10 s and never redelivers by itself): it normalises, filters
 * and enqueues under a job id derived from the delivery id, so a redelivery adds nothing.
 */
export function triadApp(deps: AppDeps) {
  return (app: Probot) => {
    app.onAny(async (context) => {
      const result = normaliseWebhook(context.name, context.id, context.payload);
      if ("ignored" in result) {
        deps.log.debug(
          { delivery: context.id, event: context.name, reason: result.ignored },
          "webhook ignored",
        );
        deps.metrics?.webhooks.inc({ event: context.name, outcome: "ignored" });
        return;
      }
      const jobId = await acceptEvent(deps.queues, result.event);
      deps.metrics?.webhooks.inc({ event: context.name, outcome: "queued" });
      deps.log.info({ delivery: context.id, event: result.event.kind, job: jobId }, "webhook queued");
    });
  };
}
