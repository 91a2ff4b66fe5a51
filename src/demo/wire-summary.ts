import type { UsageSnapshot } from "../core/usage.js";
import { formatModelRef } from "../models/config.js";
import type { DemoVendors } from "../sim/models/demo-wire.js";

/* What `npm run demo -- --wire` prints about its vendor servers, before and after the scenario. */

const WIRE_API_NAMES = {
  anthropic: "Anthropic Messages",
  openai: "OpenAI Responses",
  google: "Gemini generateContent",
} as const;

/** The servers and, per role, the catalogue's default model each one answers for. */
export function printWireModels(wire: DemoVendors, print: (line: string) => void): void {
  print("· models: --wire, the scripted answers served over each vendor's wire format by local vendor");
  print(
    "  servers (strict: retired ids 404, thinking state must come back), through the real SDKs and adapters:",
  );
  for (const { role, ref } of wire.roles) {
    const vendor = ref.vendor as keyof typeof WIRE_API_NAMES;
    print(
      `    ${role.padEnd(11)} ${formatModelRef(ref).padEnd(30)} ${WIRE_API_NAMES[vendor]} at ${wire.servers[vendor]?.url}`,
    );
  }
  print("  (the catalogue's default per role; the sample repository's `models:` choice is set aside, as in");
  print("  the scripted demo, since the script is written for these roles)");
}

/** What each vendor server served, and what the workflow recorded per role at catalogue prices. */
export function printWireSummary(
  wire: DemoVendors,
  usage: UsageSnapshot | undefined,
  print: (line: string) => void,
) {
  print("");
  print("· vendor servers:");
  for (const vendor of Object.keys(WIRE_API_NAMES) as Array<keyof typeof WIRE_API_NAMES>) {
    const requests = wire.requests(vendor);
    const streamed = requests.filter((r) => r.body?.stream === true).length;
    const models = [
      ...new Set(
        requests.map((r) => (vendor === "google" ? /models\/([^:]+):/.exec(r.path)?.[1] : r.body?.model)),
      ),
    ];
    print(
      `    ${WIRE_API_NAMES[vendor].padEnd(22)} ${String(requests.length).padStart(3)} requests${streamed ? ` (${streamed} streamed)` : ""} for ${models.join(", ")}`,
    );
  }
  print("· tokens and cost per role (catalogue prices):");
  for (const line of usage?.lines ?? []) {
    const cost = line.costUsd === undefined ? "unpriced" : `$${line.costUsd.toFixed(4)}`;
    print(
      `    ${line.role.padEnd(11)} ${`${line.vendor}:${line.model}`.padEnd(30)} ${line.calls} calls · ${line.inputTokens} in (${line.cachedInputTokens} cached) · ${line.outputTokens} out · ${cost}`,
    );
  }
}
