import type { ChatModel, ChatRequest, ChatResponse, ModelRef } from "../../models/types.js";
import { ScriptedModel, type ScriptStep } from "./scripted-model.js";

/**
 * A scripted model whose answer depends only on the request: `pick` chooses the script from what the
 * prompt says (which turn of which workflow), and the number of assistant turns already in the
 * transcript says which step of it comes next. Any number of workflows, on any number of worker
 * processes, then each get their own consistent conversation — what a shared, ordered script cannot
 * give once steps of one workflow run on different processes.
 */
export class StatelessScriptedModel implements ChatModel {
  readonly requests: ChatRequest[] = [];

  constructor(
    readonly ref: ModelRef,
    private readonly pick: (request: ChatRequest, text: string) => ScriptStep[],
  ) {}

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const first = request.messages[0];
    const text = first && first.role === "user" ? first.content : "";
    const steps = this.pick(request, text);
    const turn = request.messages.filter((m) => m.role === "assistant").length;
    const step = steps[Math.min(turn, steps.length - 1)];
    if (!step) throw new Error(`scripted model ${this.ref.model} has no script for this request`);
    return new ScriptedModel(this.ref, [step]).chat(request);
  }
}
