import type { ModelProvider } from "../models/provider.js";
import type { SnapshotCache } from "../repo/snapshot.js";
import type { HandlerDeps } from "./handle-event.js";

/** What a phase step needs besides what an event handler needs: models and the snapshot cache. */
export interface PhaseDeps extends HandlerDeps {
  models: ModelProvider;
  snapshots: SnapshotCache;
}
