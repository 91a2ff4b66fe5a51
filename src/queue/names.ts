/**
 * Queue names, Redis keys and job ids in one place. BullMQ job ids may not contain ":" and may not
 * be plain integers; ours are `<kind>-<stable id>` so a redelivered webhook or a retried step maps to
 * the job that already exists, and BullMQ adds nothing.
 */
export const EVENTS_QUEUE = "events";

export function deliveryJobId(deliveryId: string): string {
  return `delivery-${deliveryId.replace(/[^\w-]/g, "_")}`;
}

export function keys(prefix: string) {
  return {
    lock: (workflow: string) => `${prefix}:lock:${workflow}`,
    state: (workflow: string) => `${prefix}:state:${workflow}`,
    cache: (name: string) => `${prefix}:cache:${name}`,
  };
}
