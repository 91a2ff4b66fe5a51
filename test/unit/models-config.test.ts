import { describe, expect, it } from "vitest";
import { TriadError } from "../../src/errors.js";
import {
  DEFAULT_ROLE_MODELS,
  hasAnyApiKey,
  parseModelEnv,
  parseModelRef,
  resolveRoleModels,
  vendorIdentity,
} from "../../src/models/config.js";
import { createChatModel } from "../../src/models/create-chat-model.js";

function configError(fn: () => unknown): TriadError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TriadError);
    expect((error as TriadError).code).toBe("config_invalid");
    return error as TriadError;
  }
  throw new Error("expected a config_invalid error");
}

describe("parseModelRef", () => {
  it("parses vendor:model, keeping colons and slashes in the model", () => {
    expect(parseModelRef("anthropic:claude-sonnet-4-6")).toEqual({
      vendor: "anthropic",
      model: "claude-sonnet-4-6",
    });
    expect(parseModelRef(" openai-compatible:llama3.1:8b ")).toEqual({
      vendor: "openai-compatible",
      model: "llama3.1:8b",
    });
    expect(parseModelRef("openai-compatible:deepseek/deepseek-chat")).toMatchObject({
      model: "deepseek/deepseek-chat",
    });
    expect(parseModelRef("Google:gemini-2.5-pro").vendor).toBe("google");
  });

  it.each([
    ["claude-sonnet-4-6", /expected "vendor:model"/],
    [":gpt-5", /expected "vendor:model"/],
    ["mistral:large", /unknown vendor "mistral"/],
    ["openai:", /model name is empty/],
    ["openai:gpt 5", /has spaces/],
  ])("refuses %j", (text, message) => {
    expect(configError(() => parseModelRef(text)).message).toMatch(message);
  });
});

describe("resolveRoleModels", () => {
  it("uses the defaults when the environment names no model", () => {
    const roles = resolveRoleModels({});
    expect(roles.architect).toEqual(parseModelRef(DEFAULT_ROLE_MODELS.architect));
    expect(roles.developer).toEqual(parseModelRef(DEFAULT_ROLE_MODELS.developer));
    expect(roles.reviewers.map((r) => r.vendor)).toEqual(["openai", "google"]);
    expect(roles.warnings).toEqual([]);
  });

  it("reads the fixed env names, reviewers comma-separated", () => {
    const roles = resolveRoleModels({
      TRIAD_ARCHITECT_MODEL: "openai:gpt-6.2-sol",
      TRIAD_DEVELOPER_MODEL: "google:gemini-3.8-flash",
      TRIAD_REVIEWER_MODELS: "anthropic:claude-sonnet-4-6, openai:gpt-6.1-sol",
    });
    expect(roles.architect).toEqual({ vendor: "openai", model: "gpt-6.2-sol" });
    expect(roles.developer).toEqual({ vendor: "google", model: "gemini-3.8-flash" });
    expect(roles.reviewers).toEqual([
      { vendor: "anthropic", model: "claude-sonnet-4-6" },
      { vendor: "openai", model: "gpt-6.1-sol" },
    ]);
  });

  it("lets the repository file override models over the environment", () => {
    const roles = resolveRoleModels(
      { TRIAD_DEVELOPER_MODEL: "anthropic:claude-sonnet-4-6", TRIAD_REVIEWER_MODELS: "openai:gpt-6.2-sol" },
      {
        developer: "anthropic:claude-haiku-4-5",
        reviewers: ["google:gemini-3.8-flash"],
        output_tokens: { developer: 40_000 },
      },
    );
    expect(roles.developer.model).toBe("claude-haiku-4-5");
    expect(roles.reviewers).toEqual([{ vendor: "google", model: "gemini-3.8-flash" }]);
    expect(roles.outputTokens).toEqual({ developer: 40_000 });
  });

  it("never lets the repository file set keys or URLs", () => {
    const error = configError(() =>
      resolveRoleModels({}, { architect: "openai:gpt-5", OPENAI_BASE_URL: "http://evil" } as never),
    );
    expect(error.message).toMatch(/never keys or URLs/);
  });

  it("refuses a reviewer of the developer's vendor and says why", () => {
    const error = configError(() =>
      resolveRoleModels({
        TRIAD_DEVELOPER_MODEL: "openai:gpt-5",
        TRIAD_REVIEWER_MODELS: "google:gemini-2.5-pro,openai:gpt-5-codex",
      }),
    );
    expect(error.message).toContain("openai:gpt-5-codex");
    expect(error.message).toMatch(/no model reviews its own vendor's work/);
  });

  it("warns about two reviewers of the same vendor", () => {
    const roles = resolveRoleModels({ TRIAD_REVIEWER_MODELS: "openai:gpt-6.2-sol,openai:gpt-6.1-sol" });
    expect(roles.warnings).toHaveLength(1);
    expect(roles.warnings[0]).toMatch(/same vendor \(openai\)/);
  });

  it("counts an openai-compatible model by its family, and an unknown one as the server's own", () => {
    const local = { vendor: "openai-compatible" as const, model: "my-finetune" };
    expect(vendorIdentity(local, { OPENAI_COMPATIBLE_BASE_URL: "http://localhost:11434/v1" })).toBe(
      "openai-compatible",
    );
    expect(vendorIdentity(local, { OPENAI_COMPATIBLE_BASE_URL: "https://api.openai.com/v1" })).toBe("openai");
    // On OpenRouter, `anthropic/claude-…` is Anthropic's model whatever the host.
    const routed = { vendor: "openai-compatible" as const, model: "anthropic/claude-opus-5.5" };
    expect(vendorIdentity(routed, { OPENAI_COMPATIBLE_BASE_URL: "https://openrouter.ai/api/v1" })).toBe(
      "anthropic",
    );
    expect(vendorIdentity({ vendor: "openai-compatible", model: "deepseek-chat" })).toBe("deepseek");
    expect(vendorIdentity({ vendor: "openai-compatible", model: "llama3.1:8b" })).toBe("meta");
    expect(vendorIdentity({ vendor: "openai-compatible", model: "qwen/qwen3-coder" })).toBe("qwen");
    configError(() =>
      resolveRoleModels({
        TRIAD_DEVELOPER_MODEL: "anthropic:claude-sonnet-5-5",
        TRIAD_REVIEWER_MODELS: "openai-compatible:anthropic/claude-opus-5.5",
        OPENAI_COMPATIBLE_BASE_URL: "https://openrouter.ai/api/v1",
      }),
    );
    // A DeepSeek reviewer for an OpenAI developer is fine...
    expect(
      resolveRoleModels({
        TRIAD_DEVELOPER_MODEL: "openai:gpt-6.2-sol",
        TRIAD_REVIEWER_MODELS: "openai-compatible:deepseek-chat",
        OPENAI_COMPATIBLE_BASE_URL: "https://api.deepseek.com/v1",
      }).reviewers,
    ).toHaveLength(1);
    // ...but not when the "compatible" endpoint is OpenAI itself.
    configError(() =>
      resolveRoleModels({
        TRIAD_DEVELOPER_MODEL: "openai:gpt-6.2-sol",
        TRIAD_REVIEWER_MODELS: "openai-compatible:gpt-6.1-sol",
        OPENAI_COMPATIBLE_BASE_URL: "https://api.openai.com/v1",
      }),
    );
  });

  it("refuses Claude via OpenRouter as the reviewer of an Anthropic developer, naming the family", () => {
    const error = configError(() =>
      resolveRoleModels({
        TRIAD_DEVELOPER_MODEL: "anthropic:claude-sonnet-5-5",
        TRIAD_REVIEWER_MODELS: "openai-compatible:anthropic/claude-opus-5.5",
        OPENAI_COMPATIBLE_BASE_URL: "https://openrouter.ai/api/v1",
      }),
    );
    expect(error.message).toContain("openai-compatible:anthropic/claude-opus-5.5");
    expect(error.message).toContain("both are anthropic models");
  });

  it("allows two unrelated open models behind one vLLM server as different vendors", () => {
    const env = {
      TRIAD_DEVELOPER_MODEL: "openai-compatible:meta-llama/Llama-3.3-70B-Instruct",
      TRIAD_REVIEWER_MODELS: "openai-compatible:Qwen/Qwen2.5-Coder-32B-Instruct",
      OPENAI_COMPATIBLE_BASE_URL: "http://vllm.internal:8000/v1",
    };
    const roles = resolveRoleModels(env);
    expect(roles.reviewers.map((r) => r.model)).toEqual(["Qwen/Qwen2.5-Coder-32B-Instruct"]);
    expect(roles.warnings).toEqual([]);
    // Two Llamas on that server are one vendor, whoever fine-tuned the second.
    const error = configError(() =>
      resolveRoleModels({
        ...env,
        TRIAD_REVIEWER_MODELS: "openai-compatible:meta-llama/Llama-3.1-8B-Instruct",
      }),
    );
    expect(error.message).toContain("both are meta models");
  });

  it("derives an open model's family from its org prefix", () => {
    const family = (model: string) => vendorIdentity({ vendor: "openai-compatible", model });
    expect(family("deepseek-ai/DeepSeek-Coder-V2-Instruct")).toBe("deepseek");
    expect(family("mistralai/Mistral-Small-24B-Instruct")).toBe("mistral");
    expect(family("microsoft/Phi-4")).toBe("microsoft");
    expect(family("ibm-granite/granite-3.1-8b-instruct")).toBe("ibm");
    expect(family("allenai/OLMo-2-13B")).toBe("allenai");
    expect(family("phi4:14b")).toBe("microsoft");
  });

  it("refuses an empty reviewer list and invalid URLs", () => {
    configError(() => resolveRoleModels({}, { reviewers: [] }));
    configError(() => parseModelEnv({ OPENAI_BASE_URL: "not a url" }));
  });
});

describe("keys", () => {
  it("hasAnyApiKey sees any vendor key, ignoring blanks", () => {
    expect(hasAnyApiKey({})).toBe(false);
    expect(hasAnyApiKey({ ANTHROPIC_API_KEY: "  " })).toBe(false);
    expect(hasAnyApiKey({ GEMINI_API_KEY: "AIza" })).toBe(true);
    expect(hasAnyApiKey({ PATH: "/bin", OPENAI_COMPATIBLE_API_KEY: "x" })).toBe(true);
  });

  it("createChatModel names the missing key's variable", () => {
    const error = (() => {
      try {
        createChatModel({ vendor: "google", model: "gemini-2.5-pro" }, {});
      } catch (e) {
        return e as TriadError;
      }
    })();
    expect(error?.code).toBe("auth_failed");
    expect(error?.message).toContain("GEMINI_API_KEY is missing or invalid");
  });

  it("an openai-compatible model needs a base URL but no key", () => {
    expect(() => createChatModel({ vendor: "openai-compatible", model: "llama3" }, {})).toThrow(
      /OPENAI_COMPATIBLE_BASE_URL/,
    );
    const model = createChatModel(
      { vendor: "openai-compatible", model: "llama3" },
      { OPENAI_COMPATIBLE_BASE_URL: "http://localhost:11434/v1" },
    );
    expect(model.ref).toEqual({ vendor: "openai-compatible", model: "llama3" });
  });
});
