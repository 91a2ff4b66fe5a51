/**
 * The Markdown API (docs.github.com/rest/markdown/markdown#render-a-markdown-document): `text`
 * required; `mode` "markdown" (the default, as for files) or "gfm" (as for comments: newlines break
 * lines, `#123` and `@login` link); `context` "owner/repo" is read in gfm mode only. Answers
 * `text/html`. The playground renders a repository's README through it.
 */
import { bodyObject, type Route, route, str, validationFailed } from "../http.js";
import { markdownContext } from "../media-types.js";

export const markdownRoutes: Route[] = [
  route("POST", "/markdown", async (req, sim) => {
    const body = bodyObject(req);
    const text = str(body, "text");
    if (text === undefined) throw validationFailed("Markdown", "text");
    const mode = str(body, "mode") === "gfm" ? "gfm" : "markdown";
    const [owner = "", repo = ""] = (str(body, "context") ?? "").split("/");
    const ctx = mode === "gfm" ? markdownContext(sim, owner, repo) : { baseUrl: sim.baseUrl };
    // Loaded on first use, like the media types' renderer (media-types.ts).
    const { renderMarkdown } = await import("../markdown.js");
    return {
      status: 200,
      raw: renderMarkdown(text, { ...ctx, mode }),
      headers: { "content-type": "text/html;charset=utf-8" },
    };
  }),
];
