// The playground's page: a small GitHub-like client of the simulator's REST API. Every read and write
// goes through the API with the acting user's token, as the user would on GitHub; Markdown comes
// rendered by the API itself (`body_html`, GitHub's "full" media type). /_playground/events only says
// "something was written", and the current view then reads the API again.

const cfg = await (await fetch("/_playground/config.json")).json();
const main = document.getElementById("main");
const FULL = "application/vnd.github.full+json";
const RAW = "application/vnd.github+json";
const REACTIONS = [
  ["+1", "👍"],
  ["-1", "👎"],
  ["laugh", "😄"],
  ["hooray", "🎉"],
  ["confused", "😕"],
  ["heart", "❤️"],
  ["rocket", "🚀"],
  ["eyes", "👀"],
];

// ---- who the page acts as -------------------------------------------------------------------------

const picker = document.getElementById("acting-user");
let me = cfg.users.find((u) => u.login === localStorage.getItem("triad-playground-user")) ?? defaultUser();
function defaultUser() {
  return cfg.users.find((u) => u.login === cfg.defaultUser) ?? cfg.users[0];
}
picker.innerHTML = cfg.users
  .map((u) => `<option value="${esc(u.login)}">@${esc(u.login)} (${esc(u.role)})</option>`)
  .join("");
picker.value = me.login;
picker.addEventListener("change", () => {
  me = cfg.users.find((u) => u.login === picker.value) ?? me;
  localStorage.setItem("triad-playground-user", me.login);
  pending.clear();
  render();
});
document.getElementById("models").textContent = `models: ${cfg.models}`;

// ---- the API ----------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(method, path, body, accept = FULL) {
  const res = await fetch(path, {
    method,
    headers: {
      authorization: `token ${me.token}`,
      accept,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const type = res.headers.get("content-type") ?? "";
  const data = res.status === 204 ? null : type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) {
    const detail = data?.errors?.map((e) => e.message ?? `${e.field} ${e.code}`).join("; ");
    throw new ApiError(
      res.status,
      `${res.status} ${data?.message ?? res.statusText}${detail ? `: ${detail}` : ""}`,
    );
  }
  return { status: res.status, data };
}
const get = async (path, accept) => (await api("GET", path, undefined, accept)).data;

/** Every page of a list (Link: rel="next"), 100 at a time. */
async function all(path, accept = RAW) {
  const out = [];
  let url = `${path}${path.includes("?") ? "&" : "?"}per_page=100`;
  while (url) {
    const res = await fetch(url, { headers: { authorization: `token ${me.token}`, accept } });
    if (!res.ok) throw new ApiError(res.status, `${res.status} ${(await res.json()).message}`);
    out.push(...(await res.json()));
    url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
  }
  return out;
}

// ---- small helpers ------------------------------------------------------------------------------------

function esc(s) {
  return String(s ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
const enc = encodeURIComponent;

function ago(iso) {
  if (!iso) return "";
  const s = Math.round((Date.parse(iso) - Date.now()) / 1000);
  const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  const abs = Math.abs(s);
  if (abs < 45) return "now";
  if (abs < 2700) return rtf.format(Math.round(s / 60), "minute");
  if (abs < 64800) return rtf.format(Math.round(s / 3600), "hour");
  return rtf.format(Math.round(s / 86400), "day");
}
const time = (iso) => `<time datetime="${esc(iso)}" title="${esc(iso)}">${esc(ago(iso))}</time>`;

function avatar(user, small = false) {
  const login = user?.login ?? "?";
  let hue = 0;
  for (const ch of login) hue = (hue * 31 + ch.charCodeAt(0)) % 360;
  const bot = user?.type === "Bot";
  return `<span class="avatar${bot ? " bot" : ""}${small ? " small" : ""}" style="background:hsl(${hue} 55% 45%)" aria-hidden="true">${bot ? "◆" : esc(login[0])}</span>`;
}

function author(user, association) {
  const bot = user?.type === "Bot";
  const role = { OWNER: "Owner", MEMBER: "Member", COLLABORATOR: "Collaborator", CONTRIBUTOR: "Contributor" }[
    association
  ];
  return `<a class="author" href="${esc(user?.html_url ?? "#")}">${esc(user?.login)}</a>${bot ? ' <span class="badge">bot</span>' : ""}${role ? ` <span class="badge">${role}</span>` : ""}`;
}

function labelChip(l) {
  const c = /^[0-9a-f]{6}$/i.test(l.color ?? "") ? l.color : "ededed";
  const n = Number.parseInt(c, 16);
  const lum = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return `<span class="label" data-test="label" style="background:#${c};color:${lum > 150 ? "#1f2328" : "#fff"}" title="${esc(l.description ?? "")}">${esc(l.name)}</span>`;
}

function toast(message, error = false) {
  const t = document.getElementById("toast");
  t.textContent = message;
  t.className = `toast${error ? " error" : ""}`;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    t.hidden = true;
  }, 4000);
}

/** Replace an element's HTML only when it changed, so open <details>, focus and scroll survive. */
function patch(el, html) {
  if (!el || el.__html === html) return;
  // Text being typed (textareas with data-keep) survives the new HTML, and so does the caret.
  const kept = new Map([...el.querySelectorAll("textarea[data-keep]")].map((t) => [t.dataset.keep, t.value]));
  const focused = el.contains(document.activeElement) ? document.activeElement : undefined;
  const caret = focused?.selectionStart;
  el.innerHTML = html;
  el.__html = html;
  for (const t of el.querySelectorAll("textarea[data-keep]")) {
    if (kept.has(t.dataset.keep)) t.value = kept.get(t.dataset.keep);
    if (focused?.dataset?.keep === t.dataset.keep) {
      t.focus();
      if (caret !== undefined) t.setSelectionRange(caret, caret);
    }
  }
}

/** Keyed children: unchanged items keep their DOM, changed ones are replaced, order follows `items`. */
function patchList(container, items) {
  const existing = new Map([...container.children].map((c) => [c.dataset.key, c]));
  let before = container.firstElementChild;
  for (const { key, html } of items) {
    let el = existing.get(key);
    if (!el) {
      el = document.createElement("div");
      el.dataset.key = key;
    }
    existing.delete(key);
    patch(el, html);
    if (el !== before) container.insertBefore(el, before);
    else before = before.nextElementSibling;
  }
  for (const el of existing.values()) el.remove();
}

function reactionsBar(kind, id, rollup) {
  const shown = REACTIONS.filter(([c]) => (rollup?.[c] ?? 0) > 0 || c === "+1" || c === "-1");
  return `<div class="reactions" data-test="reactions">${shown
    .map(
      ([c, emoji]) =>
        `<button class="reaction${(rollup?.[c] ?? 0) > 0 ? " has" : ""}" data-action="react" data-kind="${kind}" data-id="${id}" data-content="${c}" title="React with ${c}">${emoji} ${rollup?.[c] ?? 0}</button>`,
    )
    .join("")}</div>`;
}

function commentBox({ key, user, association, created, updated, html, kind, id, reactions, header = "" }) {
  const edited =
    updated && created && updated !== created
      ? ' · <span class="edited" data-test="edited">edited</span>'
      : "";
  return `<div class="comment" data-test="timeline-item" data-key="${esc(key)}" data-author="${esc(user?.login)}">
    ${avatar(user)}
    <div class="box">
      <div class="box-header">${author(user, association)} ${header || "commented"} ${time(created)}${edited}</div>
      <div class="box-body markdown-body" data-test="comment-body">${html || '<p class="muted"><em>No description provided.</em></p>'}</div>
      ${kind ? reactionsBar(kind, id, reactions) : ""}
    </div>
  </div>`;
}

// ---- routing ----------------------------------------------------------------------------------------

let view; // { refresh(): Promise<void> }
let generation = 0;

function parse(pathname) {
  const p = pathname.replace(/\/+$/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (p.length < 2) return { name: "home" };
  const [owner, repo, section, a, ...rest] = p;
  const base = { owner, repo, full: `${owner}/${repo}` };
  if (!section) return { ...base, name: "code", path: "" };
  if (section === "tree" || section === "blob")
    return { ...base, name: section, ref: a, path: rest.join("/") };
  if (section === "issues" && !a) return { ...base, name: "issues" };
  if (section === "issues" && a === "new") return { ...base, name: "new-issue" };
  if (section === "issues") return { ...base, name: "issue", number: Number(a) };
  if (section === "pulls") return { ...base, name: "pulls" };
  if (section === "pull") return { ...base, name: "pull", number: Number(a), tab: rest[0] ?? "conversation" };
  return { ...base, name: "code", path: "" };
}

function navigate(href, replace = false) {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  pending.clear();
  render();
}

document.addEventListener("click", (e) => {
  const a = e.target.closest("a[href]");
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  const url = new URL(a.href, location.href);
  if (
    url.origin !== location.origin ||
    url.pathname.startsWith("/_playground/") ||
    url.pathname.startsWith("/repos/")
  )
    return;
  e.preventDefault();
  if (url.pathname === location.pathname && url.hash) {
    document.getElementById(url.hash.slice(1))?.scrollIntoView();
    return;
  }
  navigate(url.pathname + url.hash);
});
window.addEventListener("popstate", () => render());

async function render() {
  const mine = ++generation;
  const route = parse(location.pathname);
  if (route.name === "home") {
    navigate(`/${cfg.repos[0]}`, true);
    return;
  }
  const views = { code: codeView, tree: codeView, blob: blobView, issues: listView, pulls: listView };
  Object.assign(views, { "new-issue": newIssueView, issue: issueView, pull: pullView });
  crumbs(route);
  try {
    const v = await views[route.name](route);
    if (mine !== generation) return;
    // A refresh of a view the user has left does nothing.
    view = { refresh: () => (mine === generation ? v.refresh() : Promise.resolve()) };
    await view.refresh();
  } catch (error) {
    if (mine === generation) main.innerHTML = `<p class="check-failure">${esc(error.message)}</p>`;
  }
}

function crumbs(route) {
  patch(
    document.getElementById("crumbs"),
    route.owner
      ? `<a href="/${enc(route.owner)}/${enc(route.repo)}">${esc(route.owner)}</a> / <strong><a href="/${enc(route.owner)}/${enc(route.repo)}">${esc(route.repo)}</a></strong>`
      : "",
  );
}

function repoNav(route, counts, selected) {
  const base = `/${route.full}`;
  const tab = (name, href, label, n) =>
    `<a href="${href}" class="${selected === name ? "selected" : ""}" data-test="nav-${name}">${label}${n !== undefined ? `<span class="counter">${n}</span>` : ""}</a>`;
  return `<nav class="repo-nav">${tab("code", base, "Code")}${tab("issues", `${base}/issues`, "Issues", counts?.issues)}${tab("pulls", `${base}/pulls`, "Pull requests", counts?.pulls)}</nav>`;
}

async function openCounts(route) {
  const open = await all(`/repos/${route.full}/issues?state=open`);
  return {
    issues: open.filter((i) => !i.pull_request).length,
    pulls: open.filter((i) => i.pull_request).length,
  };
}

// ---- live updates ----------------------------------------------------------------------------------

let refreshing = false;
let again = false;
async function refresh() {
  if (!view) return;
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    await view.refresh();
  } catch (error) {
    console.warn("refresh failed", error);
  } finally {
    refreshing = false;
    if (again) {
      again = false;
      void refresh();
    }
  }
}
let timer;
const live = document.getElementById("live");
const events = new EventSource("/_playground/events");
events.onopen = () => live.classList.add("on");
events.onerror = () => live.classList.remove("on");
events.onmessage = () => {
  clearTimeout(timer);
  timer = setTimeout(refresh, 60);
};

/** Runs an action; a refusal from the API is shown, as GitHub shows it. */
async function act(fn, busy) {
  if (busy) busy.disabled = true;
  try {
    await fn();
    await refresh();
  } catch (error) {
    toast(error.message, true);
  } finally {
    if (busy) busy.disabled = false;
  }
}

// ---- code ----------------------------------------------------------------------------------------

async function codeView(route) {
  main.innerHTML = `<div id="nav"></div><div class="list files-list" id="files"></div><div id="readme"></div>`;
  return {
    async refresh() {
      const repo = await get(`/repos/${route.full}`);
      const ref = route.ref ?? repo.default_branch;
      const path = route.path ?? "";
      const [counts, entries] = await Promise.all([
        openCounts(route),
        get(`/repos/${route.full}/contents/${path.split("/").map(enc).join("/")}?ref=${enc(ref)}`),
      ]);
      patch(document.getElementById("nav"), repoNav(route, counts, "code"));
      const sorted = [...entries].sort((a, b) =>
        a.type === b.type ? a.name.localeCompare(b.name) : a.type === "dir" ? -1 : 1,
      );
      patch(
        document.getElementById("files"),
        `<div class="list-header"><span><strong>${esc(ref)}</strong>${path ? ` / ${esc(path)}` : ""}</span><span class="muted">${esc(repo.description ?? "")}</span></div>${sorted
          .map(
            (e) =>
              `<div class="list-item" data-test="file-entry">${e.type === "dir" ? "📁" : "📄"} <a href="/${route.full}/${e.type === "dir" ? "tree" : "blob"}/${enc(ref)}/${e.path.split("/").map(enc).join("/")}">${esc(e.name)}</a></div>`,
          )
          .join("")}`,
      );
      const readme = entries.find((e) => /^readme(\.md|\.markdown)?$/i.test(e.name));
      if (readme) {
        const text = await get(
          `/repos/${route.full}/contents/${readme.path.split("/").map(enc).join("/")}?ref=${enc(ref)}`,
          "application/vnd.github.raw",
        );
        const { data: html } = await api(
          "POST",
          "/markdown",
          { text, mode: "markdown", context: route.full },
          "text/html",
        );
        patch(
          document.getElementById("readme"),
          `<div class="box" style="margin-top:16px"><div class="box-header">${esc(readme.name)}</div><div class="box-body markdown-body">${html}</div></div>`,
        );
      } else patch(document.getElementById("readme"), "");
    },
  };
}

async function blobView(route) {
  main.innerHTML = `<div id="nav"></div><div class="box"><div class="box-header" id="path"></div><pre class="blob" id="blob"></pre></div>`;
  return {
    async refresh() {
      const [counts, text] = await Promise.all([
        openCounts(route),
        get(
          `/repos/${route.full}/contents/${route.path.split("/").map(enc).join("/")}?ref=${enc(route.ref)}`,
          "application/vnd.github.raw",
        ),
      ]);
      patch(document.getElementById("nav"), repoNav(route, counts, "code"));
      patch(document.getElementById("path"), `${esc(route.ref)} / ${esc(route.path)}`);
      patch(document.getElementById("blob"), esc(text));
    },
  };
}

// ---- issue and pull-request lists ----------------------------------------------------------------------

async function listView(route) {
  const pulls = route.name === "pulls";
  main.innerHTML = `<div id="nav"></div><div class="list" id="list"></div>`;
  return {
    async refresh() {
      const items = (await all(`/repos/${route.full}/issues?state=all`)).filter(
        (i) => Boolean(i.pull_request) === pulls,
      );
      const counts = await openCounts(route);
      patch(document.getElementById("nav"), repoNav(route, counts, route.name));
      const open = items.filter((i) => i.state === "open").length;
      patch(
        document.getElementById("list"),
        `<div class="list-header"><span><strong>${open} Open</strong> · ${items.length - open} Closed</span>${pulls ? "" : `<a class="btn btn-primary" href="/${route.full}/issues/new" data-test="new-issue">New issue</a>`}</div>${
          items.length === 0
            ? `<div class="list-item muted">No ${pulls ? "pull requests" : "issues"} yet.</div>`
            : ""
        }${items
          .map((i) => {
            const merged = i.pull_request?.merged_at;
            const icon =
              i.state === "open"
                ? '<span class="icon-open">●</span>'
                : `<span class="icon-${merged ? "merged" : "closed"}">${merged ? "⮌" : "✓"}</span>`;
            return `<div class="list-item" data-test="list-item">${icon} <a class="item-title" href="/${route.full}/${pulls ? "pull" : "issues"}/${i.number}">${esc(i.title)}</a> ${i.labels.map(labelChip).join("")}<div class="muted">#${i.number} opened ${time(i.created_at)} by ${esc(i.user.login)}${i.comments ? ` · 💬 ${i.comments}` : ""}</div></div>`;
          })
          .join("")}`,
      );
    },
  };
}

async function newIssueView(route) {
  main.innerHTML = `<div id="nav"></div>
    <div class="comment form">${avatar(me)}<div class="box"><div class="box-body">
      <input type="text" id="issue-title" placeholder="Title" data-test="issue-title" />
      <textarea id="issue-body" rows="12" placeholder="Describe what you want built (Markdown)" data-test="issue-body" style="margin-top:8px"></textarea>
      <div class="actions"><button class="btn btn-primary" id="submit-issue" data-test="submit-issue">Submit new issue</button></div>
    </div></div></div>`;
  document.getElementById("submit-issue").addEventListener("click", (e) =>
    act(async () => {
      const title = document.getElementById("issue-title").value.trim();
      if (!title) throw new Error("A title is required");
      const body = document.getElementById("issue-body").value;
      const { data } = await api("POST", `/repos/${route.full}/issues`, { title, body });
      navigate(`/${route.full}/issues/${data.number}`);
    }, e.currentTarget),
  );
  return {
    async refresh() {
      patch(document.getElementById("nav"), repoNav(route, await openCounts(route), "issues"));
    },
  };
}

// ---- an issue ----------------------------------------------------------------------------------------

const pending = new Map(); // pull-request review comments not yet submitted, by "path:side:line"
let labelEditorOpen = false;

function threadSkeleton(kind) {
  return `<div id="nav"></div><div id="head"></div><div id="tabs"></div>
    <div class="layout"><div>
      <div class="timeline" id="timeline"></div>
      <div id="after"></div>
      <div class="comment composer" id="composer" style="margin-top:16px">${avatar(me)}<div class="box"><div class="box-body">
        <textarea id="comment-body" data-test="comment-body-input" placeholder="Leave a comment (Markdown; \`approved\`, \`/triad status\`, …)"></textarea>
        <div class="actions">
          <button class="btn" id="toggle-state" data-test="toggle-state"></button>
          <button class="btn btn-primary" id="comment" data-test="comment-submit">Comment</button>
        </div>
      </div></div></div>
    </div><aside class="sidebar" id="sidebar" data-kind="${kind}"></aside></div>`;
}

function sidebar(issue, repoLabels) {
  const has = new Set(issue.labels.map((l) => l.name.toLowerCase()));
  const editor = labelEditorOpen
    ? `<div class="label-editor" data-test="label-editor">${repoLabels
        .map(
          (l) =>
            `<label><input type="checkbox" data-action="toggle-label" data-name="${esc(l.name)}" data-test="label-option" ${has.has(l.name.toLowerCase()) ? "checked" : ""}/> ${labelChip(l)}</label>`,
        )
        .join(
          "",
        )}<input type="text" id="new-label" placeholder="Add a label by name, Enter" data-test="new-label" /></div>`
    : "";
  return `<section><h3>Labels <button class="btn btn-sm" data-action="edit-labels" data-test="edit-labels" title="Edit labels">⚙</button></h3>${editor}<div data-test="labels">${issue.labels.map(labelChip).join("") || '<span class="muted">None yet</span>'}</div></section>
    <section><h3>Participants</h3>${[...new Set([issue.user.login])].map((l) => `<span class="muted">@${esc(l)}</span>`).join(" ")}</section>
    <section class="muted">You act as <strong>@${esc(me.login)}</strong> (${esc(me.role)}). Switch users at the top right.</section>`;
}

function bindComposer(route, number, isPull) {
  const box = document.getElementById("comment-body");
  document.getElementById("comment").addEventListener("click", (e) =>
    act(async () => {
      const body = box.value;
      if (!body.trim()) throw new Error("The comment is empty");
      await api("POST", `/repos/${route.full}/issues/${number}/comments`, { body });
      box.value = "";
    }, e.currentTarget),
  );
  document.getElementById("toggle-state").addEventListener("click", (e) =>
    act(async () => {
      const state = e.currentTarget.dataset.state === "open" ? "closed" : "open";
      await api("PATCH", `/repos/${route.full}/${isPull ? "pulls" : "issues"}/${number}`, { state });
    }, e.currentTarget),
  );
}

function stateBadge(issue, pr) {
  if (pr?.merged) return '<span class="state state-merged" data-test="state">⮌ Merged</span>';
  if (pr?.draft && issue.state === "open")
    return '<span class="state state-draft" data-test="state">Draft</span>';
  if (issue.state === "open") return '<span class="state state-open" data-test="state">● Open</span>';
  if (pr) return '<span class="state state-pr-closed" data-test="state">Closed</span>';
  return `<span class="state state-closed${issue.state_reason === "not_planned" ? " not-planned" : ""}" data-test="state">✓ Closed</span>`;
}

async function issueView(route) {
  main.innerHTML = threadSkeleton("issue");
  bindComposer(route, route.number, false);
  return {
    async refresh() {
      const issue = await get(`/repos/${route.full}/issues/${route.number}`);
      if (issue.pull_request) {
        navigate(`/${route.full}/pull/${route.number}`, true);
        return;
      }
      const [comments, labels, counts] = await Promise.all([
        all(`/repos/${route.full}/issues/${route.number}/comments`, FULL),
        all(`/repos/${route.full}/labels`),
        openCounts(route),
      ]);
      patch(document.getElementById("nav"), repoNav(route, counts, "issues"));
      patch(
        document.getElementById("head"),
        `<h1 class="title" data-test="title">${esc(issue.title)} <span class="number">#${issue.number}</span></h1>
        <div class="meta">${stateBadge(issue)} <strong>${esc(issue.user.login)}</strong> opened this issue ${time(issue.created_at)} · ${comments.length} comments</div>`,
      );
      patchList(document.getElementById("timeline"), [
        {
          key: "body",
          html: commentBox({
            key: "body",
            user: issue.user,
            association: issue.author_association,
            created: issue.created_at,
            html: issue.body_html,
            kind: "issue",
            id: issue.number,
            reactions: issue.reactions,
            header: "opened",
          }),
        },
        ...comments.map((c) => ({
          key: `c${c.id}`,
          html: `<div id="issuecomment-${c.id}">${commentBox({ key: `c${c.id}`, user: c.user, association: c.author_association, created: c.created_at, updated: c.updated_at, html: c.body_html, kind: "comment", id: c.id, reactions: c.reactions })}</div>`,
        })),
      ]);
      const toggle = document.getElementById("toggle-state");
      toggle.dataset.state = issue.state;
      toggle.textContent = issue.state === "open" ? "Close issue" : "Reopen issue";
      patch(document.getElementById("sidebar"), sidebar(issue, labels));
    },
  };
}

// ---- a pull request ------------------------------------------------------------------------------------

async function pullView(route) {
  main.innerHTML = threadSkeleton("pull");
  bindComposer(route, route.number, true);
  if (route.tab !== "conversation") document.getElementById("composer").hidden = true;
  return {
    async refresh() {
      const base = `/repos/${route.full}`;
      const pr = await get(`${base}/pulls/${route.number}`);
      const [issue, comments, reviews, reviewComments, files, commits, checks, labels, counts] =
        await Promise.all([
          get(`${base}/issues/${route.number}`),
          all(`${base}/issues/${route.number}/comments`, FULL),
          all(`${base}/pulls/${route.number}/reviews`, FULL),
          all(`${base}/pulls/${route.number}/comments`, FULL),
          all(`${base}/pulls/${route.number}/files`),
          all(`${base}/pulls/${route.number}/commits`),
          get(`${base}/commits/${pr.head.sha}/check-runs?per_page=100`),
          all(`${base}/labels`),
          openCounts(route),
        ]);
      patch(document.getElementById("nav"), repoNav(route, counts, "pulls"));
      patch(
        document.getElementById("head"),
        `<h1 class="title" data-test="title">${esc(pr.title)} <span class="number">#${pr.number}</span></h1>
        <div class="meta">${stateBadge(issue, pr)} <strong>${esc(pr.user.login)}</strong> ${pr.merged ? "merged" : "wants to merge"} ${commits.length} commit${commits.length === 1 ? "" : "s"} into <code>${esc(pr.base.ref)}</code> from <code>${esc(pr.head.ref)}</code> ${checksIcon(checks.check_runs)}</div>`,
      );
      const t = (name, label, n) =>
        `<a href="/${route.full}/pull/${pr.number}${name === "conversation" ? "" : `/${name}`}" class="${route.tab === name ? "selected" : ""}" data-test="tab-${name}">${label}<span class="counter">${n}</span></a>`;
      patch(
        document.getElementById("tabs"),
        `<nav class="tabs">${t("conversation", "Conversation", comments.length + reviews.filter((r) => r.body).length)}${t("commits", "Commits", commits.length)}${t("checks", "Checks", checks.total_count)}${t("files", "Files changed", files.length)}</nav>`,
      );
      const timeline = document.getElementById("timeline");
      const after = document.getElementById("after");
      if (route.tab === "files") {
        patchList(timeline, [{ key: "files", html: "" }]);
        renderFiles(timeline.firstElementChild, pr, files, reviewComments);
      } else if (route.tab === "commits") {
        patchList(timeline, [{ key: "commits", html: commitsList(commits) }]);
      } else if (route.tab === "checks") {
        patchList(timeline, [{ key: "checks", html: await checksList(route, checks.check_runs) }]);
      } else {
        patchList(timeline, conversation(pr, issue, comments, reviews, reviewComments));
      }
      patch(after, route.tab === "conversation" ? mergeBox(pr, issue, checks.check_runs) : "");
      const toggle = document.getElementById("toggle-state");
      toggle.dataset.state = issue.state;
      toggle.hidden = pr.merged;
      toggle.textContent = issue.state === "open" ? "Close pull request" : "Reopen pull request";
      patch(document.getElementById("sidebar"), sidebar(issue, labels));
    },
  };
}

function checksSummary(runs) {
  if (runs.length === 0) return { cls: "check-pending", icon: "○", text: "No checks reported" };
  if (runs.some((r) => r.status !== "completed"))
    return { cls: "check-pending", icon: "●", text: "Some checks haven’t completed yet" };
  // As on GitHub: neutral and skipped do not fail, but only a success is a green check.
  const passing = runs.every((r) => ["success", "neutral", "skipped"].includes(r.conclusion));
  if (passing && runs.some((r) => r.conclusion === "success"))
    return { cls: "check-success", icon: "✓", text: "All checks have passed" };
  if (passing) return { cls: "check-neutral", icon: "■", text: "Checks finished as neutral" };
  return { cls: "check-failure", icon: "✗", text: "Some checks were not successful" };
}

function checksIcon(runs) {
  const s = checksSummary(runs);
  return runs.length
    ? `<span class="${s.cls}" data-test="checks-icon" title="${esc(s.text)}">${s.icon}</span>`
    : "";
}

function mergeBox(pr, issue, runs) {
  const s = checksSummary(runs);
  const checks = `<div><div class="checks-status ${s.cls}" data-test="checks-status">${s.icon} ${s.text}</div>${runs
    .map(
      (r) =>
        `<div class="check-run muted" data-test="check-run">${checkIcon(r)} <strong>${esc(r.name)}</strong> — ${esc(r.output?.title ?? r.conclusion ?? r.status)}</div>`,
    )
    .join("")}</div>`;
  if (pr.merged)
    return `<div class="merge-box" style="margin-top:16px">${checks}<div><span class="state state-merged">⮌ Merged</span> Pull request successfully merged.</div></div>`;
  if (issue.state !== "open")
    return `<div class="merge-box" style="margin-top:16px">${checks}<div>This pull request is closed.</div></div>`;
  return `<div class="merge-box" style="margin-top:16px">${checks}<div><button class="btn btn-primary" data-action="merge" data-test="merge">Merge pull request</button> <span class="muted">as @${esc(me.login)}: triad never merges; you do.</span></div></div>`;
}

function checkIcon(r) {
  if (r.status !== "completed") return '<span class="check-pending">●</span>';
  if (r.conclusion === "success") return '<span class="check-success">✓</span>';
  if (r.conclusion === "neutral" || r.conclusion === "skipped") return '<span class="check-neutral">■</span>';
  return '<span class="check-failure">✗</span>';
}

async function checksList(route, runs) {
  if (runs.length === 0) return '<p class="muted">No check runs on the head commit.</p>';
  const parts = await Promise.all(
    runs.map(async (r) => {
      const summary = r.output?.summary
        ? (
            await api(
              "POST",
              "/markdown",
              { text: r.output.summary, mode: "gfm", context: route.full },
              "text/html",
            )
          ).data
        : "";
      return `<div class="box" style="margin-bottom:16px" data-test="check-run-detail"><div class="box-header">${checkIcon(r)} <span class="author">${esc(r.name)}</span> ${esc(r.conclusion ?? r.status)} · ${esc(r.app?.slug ?? "")}</div><div class="box-body markdown-body"><h3>${esc(r.output?.title ?? "")}</h3>${summary}</div></div>`;
    }),
  );
  return parts.join("");
}

function commitsList(commits) {
  return `<div class="list">${commits
    .map(
      (c) =>
        `<div class="commit" data-test="commit"><span><strong>${esc(c.commit.message.split("\n")[0])}</strong><br><span class="muted">${esc(c.commit.author?.name ?? c.author?.login ?? "")} committed ${time(c.commit.committer?.date)}</span></span><code class="sha">${esc(c.sha.slice(0, 7))}</code></div>`,
    )
    .join("")}</div>`;
}

const REVIEW_VERB = {
  APPROVED: "approved these changes",
  CHANGES_REQUESTED: "requested changes",
  COMMENTED: "reviewed",
  DISMISSED: "reviewed (dismissed)",
};

function threadsOf(reviewComments) {
  const roots = reviewComments.filter((c) => !c.in_reply_to_id);
  return roots.map((root) => ({ root, replies: reviewComments.filter((c) => c.in_reply_to_id === root.id) }));
}

function threadHtml(thread, withHunk) {
  const { root, replies } = thread;
  const hunk = withHunk
    ? `<div class="hunk">${(root.diff_hunk ?? "")
        .split("\n")
        .slice(-4)
        .map(
          (l) => `<div class="${l.startsWith("+") ? "add" : l.startsWith("-") ? "del" : ""}">${esc(l)}</div>`,
        )
        .join("")}</div>`
    : "";
  const one = (c) =>
    `<div class="thread-comment" id="discussion_r${c.id}" data-test="thread-comment">${avatar(c.user, true)} ${author(c.user, c.author_association)} <span class="muted">${time(c.created_at)}${c.updated_at !== c.created_at ? " · edited" : ""}</span><div class="markdown-body" style="margin-top:6px">${c.body_html ?? ""}</div>${reactionsBar("review-comment", c.id, c.reactions)}</div>`;
  return `<div class="thread${withHunk ? " thread-card" : ""}" data-test="thread" data-path="${esc(root.path)}" data-line="${root.line ?? ""}" data-side="${esc(root.side ?? "RIGHT")}">
    ${withHunk ? `<div class="box-header"><span class="sha">${esc(root.path)}</span>${root.line ? ` line ${root.line}` : " (outdated)"}</div>` : ""}${hunk}
    ${[root, ...replies].map(one).join("")}
    <div class="reply"><textarea data-reply-to="${root.id}" data-keep="reply-${root.id}" placeholder="Reply…" data-test="reply-input"></textarea><div style="text-align:right;margin-top:4px"><button class="btn btn-sm" data-action="reply" data-id="${root.id}" data-test="reply-submit">Reply</button></div></div>
  </div>`;
}

function conversation(pr, issue, comments, reviews, reviewComments) {
  const items = [
    {
      at: pr.created_at,
      key: "body",
      html: commentBox({
        key: "body",
        user: pr.user,
        association: pr.author_association,
        created: pr.created_at,
        html: pr.body_html,
        kind: "issue",
        id: pr.number,
        reactions: issue.reactions,
        header: "opened",
      }),
    },
    ...comments.map((c) => ({
      at: c.created_at,
      key: `c${c.id}`,
      html: `<div id="issuecomment-${c.id}">${commentBox({ key: `c${c.id}`, user: c.user, association: c.author_association, created: c.created_at, updated: c.updated_at, html: c.body_html, kind: "comment", id: c.id, reactions: c.reactions })}</div>`,
    })),
  ];
  const threads = threadsOf(reviewComments);
  for (const r of reviews) {
    if (r.state === "PENDING") continue;
    const mine = threads.filter((t) => t.root.pull_request_review_id === r.id);
    if (!r.body && mine.length === 0) continue; // replies made their own empty reviews
    items.push({
      at: r.submitted_at,
      key: `r${r.id}`,
      html: `<div id="pullrequestreview-${r.id}" data-test="review">${commentBox({ key: `r${r.id}`, user: r.user, association: r.author_association, created: r.submitted_at, html: r.body_html || (mine.length ? "" : ""), header: REVIEW_VERB[r.state] ?? "reviewed" })}<div style="margin-left:52px;display:flex;flex-direction:column;gap:8px;margin-top:8px">${mine.map((t) => threadHtml(t, true)).join("")}</div></div>`,
    });
  }
  items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return items.map(({ key, html }) => ({ key, html }));
}

// ---- files changed: the diff with inline threads, and a review to write -----------------------------------

/** The patch's lines, numbered as GitHub numbers them (old and new side). */
function diffRows(patchText) {
  const rows = [];
  let oldNo = 0;
  let newNo = 0;
  for (const line of (patchText ?? "").split("\n")) {
    const h = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (h) {
      oldNo = Number(h[1]);
      newNo = Number(h[2]);
      rows.push({ kind: "hunk", text: line });
    } else if (line.startsWith("+")) rows.push({ kind: "add", text: line.slice(1), newNo: newNo++ });
    else if (line.startsWith("-")) rows.push({ kind: "del", text: line.slice(1), oldNo: oldNo++ });
    else if (line.startsWith("\\")) rows.push({ kind: "hunk", text: line });
    else if (rows.length > 0) rows.push({ kind: "ctx", text: line.slice(1), oldNo: oldNo++, newNo: newNo++ });
  }
  return rows;
}

function renderFiles(container, pr, files, reviewComments) {
  const threads = threadsOf(reviewComments);
  const at = (path, side, line) =>
    threads.filter((t) => t.root.path === path && (t.root.side ?? "RIGHT") === side && t.root.line === line);
  const outdated = threads.filter((t) => !t.root.line);
  const review = `<div class="pending-review" data-test="review-panel"><strong>Review changes</strong> <span class="muted">${pending.size} pending comment${pending.size === 1 ? "" : "s"} · hover a line and press + to comment on it</span>
    <textarea id="review-body" data-keep="review-body" placeholder="Leave a review comment (optional)" data-test="review-body"></textarea>
    <div class="events">${["COMMENT", "APPROVE", "REQUEST_CHANGES"].map((e, i) => `<label><input type="radio" name="review-event" value="${e}" ${i === 0 ? "checked" : ""}/> ${{ COMMENT: "Comment", APPROVE: "Approve", REQUEST_CHANGES: "Request changes" }[e]}</label>`).join("")}</div>
    <button class="btn btn-primary" data-action="submit-review" data-test="submit-review">Submit review</button></div>`;
  const body = files
    .map((f) => {
      const rows = diffRows(f.patch)
        .map((r) => {
          if (r.kind === "hunk")
            return `<tr class="hunk"><td class="num"></td><td class="num"></td><td class="code">${esc(r.text)}</td></tr>`;
          const side = r.kind === "del" ? "LEFT" : "RIGHT";
          const line = side === "LEFT" ? r.oldNo : r.newNo;
          const key = `${f.filename}:${side}:${line}`;
          const sign = r.kind === "add" ? "+" : r.kind === "del" ? "-" : " ";
          const tr = `<tr class="line ${r.kind}" data-test="diff-line" data-path="${esc(f.filename)}" data-side="${side}" data-line="${line}" data-new="${r.newNo ?? ""}" data-old="${r.oldNo ?? ""}"><td class="num">${r.oldNo ?? ""}</td><td class="num"><button class="add-comment" data-action="add-line-comment" data-key="${esc(key)}" title="Comment on this line">+</button>${r.newNo ?? ""}</td><td class="code">${sign}${esc(r.text)}</td></tr>`;
          const here = at(f.filename, side, line)
            .map(
              (t) =>
                `<tr class="thread-row" data-test="thread-row"><td colspan="3">${threadHtml(t, false)}</td></tr>`,
            )
            .join("");
          const draft = pending.get(key);
          const form =
            draft !== undefined
              ? `<tr class="thread-row"><td colspan="3"><div class="inline-form thread" style="padding:8px"><textarea data-pending="${esc(key)}" data-keep="pending-${esc(key)}" data-test="line-comment-input" placeholder="Comment on line ${line} (Markdown; a \`\`\`suggestion block suggests a change)"></textarea><div style="text-align:right;margin-top:4px"><button class="btn btn-sm" data-action="drop-line-comment" data-key="${esc(key)}">Cancel</button></div></div></td></tr>`
              : "";
          return tr + here + form;
        })
        .join("");
      return `<div class="box file" data-test="file" data-path="${esc(f.filename)}"><div class="file-header"><span class="adds">+${f.additions}</span><span class="dels">−${f.deletions}</span> <strong>${esc(f.filename)}</strong> <span class="muted">${esc(f.status)}</span></div>${f.patch ? `<table class="diff"><colgroup><col style="width:50px"><col style="width:50px"><col></colgroup>${rows}</table>` : '<div class="box-body muted">Binary or large file: no diff shown.</div>'}</div>`;
    })
    .join("");
  const old = outdated.length
    ? `<h3>Outdated threads</h3>${outdated.map((t) => threadHtml(t, true)).join("")}`
    : "";
  const event = document.querySelector('input[name="review-event"]:checked')?.value;
  patch(container, review + body + old);
  for (const t of container.querySelectorAll("textarea[data-pending]")) {
    if (t.value === "") t.value = pending.get(t.dataset.pending) ?? "";
  }
  if (event) {
    const radio = document.querySelector(`input[name="review-event"][value="${event}"]`);
    if (radio) radio.checked = true;
  }
  container.dataset.head = pr.head.sha;
}

// ---- actions --------------------------------------------------------------------------------------------

document.addEventListener("input", (e) => {
  const key = e.target.dataset?.pending;
  if (key !== undefined) pending.set(key, e.target.value);
});

document.addEventListener("keydown", (e) => {
  if (e.target.id === "new-label" && e.key === "Enter") {
    const name = e.target.value.trim();
    if (!name) return;
    const route = parse(location.pathname);
    act(() => api("POST", `/repos/${route.full}/issues/${route.number}/labels`, { labels: [name] }));
    e.target.value = "";
  }
});

document.addEventListener("click", (e) => {
  const el = e.target.closest("[data-action]");
  if (!el) return;
  const route = parse(location.pathname);
  const base = `/repos/${route.full}`;
  const d = el.dataset;
  switch (d.action) {
    case "edit-labels":
      labelEditorOpen = !labelEditorOpen;
      void refresh();
      return;
    case "toggle-label":
      return void act(() =>
        el.checked
          ? api("POST", `${base}/issues/${route.number}/labels`, { labels: [d.name] })
          : api("DELETE", `${base}/issues/${route.number}/labels/${enc(d.name)}`),
      );
    case "react": {
      const path =
        d.kind === "issue"
          ? `${base}/issues/${d.id}/reactions`
          : d.kind === "comment"
            ? `${base}/issues/comments/${d.id}/reactions`
            : `${base}/pulls/comments/${d.id}/reactions`;
      return void act(async () => {
        const { status, data } = await api("POST", path, { content: d.content });
        // 200: this user had reacted so already (docs.github.com/rest/reactions); a second click takes it back.
        if (status === 200) await api("DELETE", `${path}/${data.id}`);
      }, el);
    }
    case "reply": {
      const box = document.querySelector(`textarea[data-reply-to="${d.id}"]`);
      return void act(async () => {
        if (!box.value.trim()) throw new Error("The reply is empty");
        await api("POST", `${base}/pulls/${route.number}/comments/${d.id}/replies`, { body: box.value });
        box.value = "";
      }, el);
    }
    case "merge":
      return void act(() => api("PUT", `${base}/pulls/${route.number}/merge`, { merge_method: "merge" }), el);
    case "add-line-comment":
      if (!pending.has(d.key)) pending.set(d.key, "");
      void refresh();
      return;
    case "drop-line-comment":
      pending.delete(d.key);
      void refresh();
      return;
    case "submit-review":
      return void act(async () => {
        const comments = [...pending.entries()]
          .filter(([, body]) => body.trim() !== "")
          .map(([key, body]) => {
            const i = key.lastIndexOf(":");
            const j = key.lastIndexOf(":", i - 1);
            return { path: key.slice(0, j), side: key.slice(j + 1, i), line: Number(key.slice(i + 1)), body };
          });
        const body = document.getElementById("review-body").value;
        const event = document.querySelector('input[name="review-event"]:checked')?.value ?? "COMMENT";
        const head = document.querySelector("[data-head]")?.dataset.head;
        await api("POST", `${base}/pulls/${route.number}/reviews`, {
          body,
          event,
          comments,
          ...(head ? { commit_id: head } : {}),
        });
        pending.clear();
        document.getElementById("review-body").value = "";
      }, el);
  }
});

await render();
