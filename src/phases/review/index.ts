export {
  type AggregatedFinding,
  type AggregateOptions,
  type Agreement,
  aggregateFindings,
  type Consensus,
  type RaisedFinding,
} from "./aggregate.js";
export {
  type DecideContext,
  type Dropped,
  decideReview,
  type Escalation,
  type EscalationReason,
  openFindingsSummary,
  type ReviewDecision,
} from "./decide-review.js";
export {
  type FindingInput,
  type FindingOrigin,
  type FindingSet,
  findingKey,
  gist,
  normaliseAnchor,
} from "./finding.js";
export {
  CHECK_SUMMARY_CHARS,
  fromCheckFailure,
  fromFixCommand,
  fromHumanReview,
  type HumanReview,
  type HumanReviewComment,
  parseSeverityPrefix,
} from "./human-findings.js";
export {
  moveToBody,
  type Placement,
  REFUSED_REASON,
  type RenderedReview,
  type RenderReviewInput,
  type ReviewComment,
  renderReview,
} from "./render-review.js";
export {
  isBlocking,
  type PlanCompliance,
  type ReviewFinding,
  type ReviewOutput,
  reviewOutputSchema,
  SEVERITIES,
  type Severity,
  SUBMIT_REVIEW_TOOL,
  severityRank,
  submitReviewTool,
} from "./schema.js";
export { detectSpiral, type Spiral } from "./spiral.js";
