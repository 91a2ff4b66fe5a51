/**
 * GitHub's custom media types for Markdown bodies (docs.github.com/rest/issues/comments, "custom media
 * types"; the same for issues, pull requests, reviews and review comments):
 * - `application/vnd.github.raw+json` (the default): `body` as written;
 * - `application/vnd.github.text+json`: `body_text` only;
 * - `application/vnd.github.html+json`: `body_html` only;
 * - `application/vnd.github.full+json`: `body`, `body_text` and `body_html`.
 * The version may stand between `github.` and the parameter, and `+json` may be left out: Octokit's
 * `mediaType: { format: "full" }` sends `application/vnd.github.v3.full`.
 */
import type { SimContext } from "./http.js";
import type { MarkdownContext } from "./markdown.js";

export type BodyRepresentation = "raw" | "text" | "html" | "full";

export function bodyRepresentation(accept: string | undefined): BodyRepresentation {
  const m = /application\/vnd\.github(?:\.v\d+)?\.(raw|text|html|full)(?:\+json)?(?![\w.+])/.exec(
    accept ?? "",
  );
  return (m?.[1] as BodyRepresentation | undefined) ?? "raw";
}

/** Routes whose resources carry a Markdown `body` that these media types apply to. */
export function rendersBodies(template: string | undefined): boolean {
  return /^\/repos\/\{owner\}\/\{repo\}\/(issues|pulls)(\/|$)/.test(template ?? "");
}

export function markdownContext(sim: SimContext, owner: string, repo: string): MarkdownContext {
  const r = sim.state.findRepo(owner, repo);
  return {
    baseUrl: sim.baseUrl,
    ...(r ? { repo: r.fullName, issueExists: (n: number) => r.issues.has(n) } : {}),
    userExists: (login) => sim.state.userByLogin(login) !== undefined,
  };
}

/**
 * The reply's top-level resources (an object or a list of them) in the asked representation. The
 * renderer is loaded on first use: triad itself asks for raw bodies only, and a simulator that serves
 * no page pays nothing for it.
 */
export async function representBodies(
  body: unknown,
  as: BodyRepresentation,
  ctx: MarkdownContext,
): Promise<unknown> {
  if (as === "raw") return body;
  const { renderMarkdown, renderText } = await import("./markdown.js");
  const one = (item: unknown): unknown => {
    if (!item || typeof item !== "object" || Array.isArray(item) || !("body" in item)) return item;
    const { body: text, ...rest } = item as { body: unknown } & Record<string, unknown>;
    const source = typeof text === "string" ? text : "";
    const out: Record<string, unknown> = as === "full" ? { ...rest, body: text } : { ...rest };
    if (as === "text" || as === "full") out.body_text = text === null ? null : renderText(source, ctx);
    if (as === "html" || as === "full") out.body_html = text === null ? null : renderMarkdown(source, ctx);
    return out;
  };
  return Array.isArray(body) ? body.map(one) : one(body);
}
