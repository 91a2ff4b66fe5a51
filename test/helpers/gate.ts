import type { ChatModel } from "../../src/models/types.js";

/**
 * A model that stops at its `at`-th call until the test opens the gate: the test then knows where
 * the step is (its reads done, its writes to come) and can change GitHub's behaviour right there.
 */
export interface GatedModel {
  model: ChatModel;
  /** Resolves when the step reaches the gated call. */
  reached: Promise<void>;
  open(): void;
  readonly calls: number;
}

export function gated(inner: ChatModel, at = 1): GatedModel {
  let calls = 0;
  let reach: () => void = () => undefined;
  let release: () => void = () => undefined;
  const reached = new Promise<void>((r) => {
    reach = r;
  });
  const opened = new Promise<void>((r) => {
    release = r;
  });
  const model: ChatModel = {
    ref: inner.ref,
    async chat(request) {
      calls += 1;
      if (calls === at) {
        reach();
        await opened;
      }
      return inner.chat(request);
    },
  };
  return {
    model,
    reached,
    open: () => release(),
    get calls() {
      return calls;
    },
  };
}
