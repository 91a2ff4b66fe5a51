import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

interface ExampleGroup {
  name: string;
  actions: string[];
  examples: Array<Record<string, unknown> & { action?: string }>;
}

const groups = require("@octokit/webhooks-examples/api.github.com/index.json") as ExampleGroup[];

/** GitHub's own example payloads for an event, each with an installation added (probot needs one). */
export function webhookExamples(event: string): Array<Record<string, unknown> & { action?: string }> {
  const group = groups.find((g) => g.name === event);
  if (!group) throw new Error(`no examples for ${event}`);
  return group.examples.map((example) => ({
    ...structuredClone(example),
    installation: (example.installation as object | undefined) ?? {
      id: 4242,
      node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==",
    },
  }));
}

export function webhookExample(event: string, action: string): Record<string, unknown> & { action?: string } {
  const example = webhookExamples(event).find((e) => e.action === action);
  if (!example) throw new Error(`no ${event}.${action} example`);
  return example;
}
