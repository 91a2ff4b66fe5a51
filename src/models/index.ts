/** The model layer's public surface (ARCHITECTURE §4). */

export {
  type BudgetedModelOptions,
  budgetedModel,
  type SpendLine,
  type SpendSink,
} from "./budget.js";
export {
  CATALOGUE,
  type CatalogueEntry,
  catalogueEntry,
  lifecycleOf,
  lifecycleWarnings,
  type ModelFamily,
  modelFamily,
  type OutputBudget,
  outputBudget,
  retirementProblem,
} from "./catalogue.js";
export {
  type CheckModelsOptions,
  checkModel,
  checkModels,
  type ModelCheck,
  type ModelCheckReport,
  type RoleFinishCheck,
} from "./check.js";
export {
  API_KEY_ENV,
  BASE_URL_ENV,
  DEFAULT_ROLE_MODELS,
  formatModelRef,
  hasAnyApiKey,
  type ModelEnv,
  modelEnvSchema,
  parseModelEnv,
  parseModelRef,
  type RepoModelOverrides,
  type RoleModels,
  repoModelOverridesSchema,
  resolveRoleModels,
  vendorIdentity,
} from "./config.js";
export { type CreateChatModelOptions, createAdapter, createChatModel } from "./create-chat-model.js";
export { type FinishCheckpoint, type RunUntilFinishedOptions, runUntilFinished } from "./finish.js";
export { costFor, costOf, type ModelPrice, PRICES, priceOf } from "./prices.js";
export {
  classifyModelError,
  DEFAULT_RETRY_POLICY,
  type Logger,
  parseRetryAfter,
  RetryingChatModel,
  type RetryPolicy,
  withRetry,
} from "./retry.js";
export { toJsonSchema, toToolSpec } from "./schema.js";
export { chatWithinBudget, stopError } from "./stops.js";
export { generateStructured, type StructuredOptions, type StructuredResult } from "./structured.js";
export {
  type Budget,
  type FinishTool,
  formatIssues,
  runToolLoop,
  type ToolLoopOptions,
  type ToolLoopResult,
  type ToolLoopStop,
  type TurnInfo,
} from "./tool-loop.js";
export * from "./types.js";
export {
  addUsage,
  emptyUsage,
  type LedgerLine,
  type LedgerSnapshot,
  ledgerBudget,
  MeteredChatModel,
  meteredModel,
  UsageLedger,
  type UsageTotals,
} from "./usage.js";
