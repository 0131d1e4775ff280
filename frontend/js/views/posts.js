// Posts: the public list with search, a tag's posts, one post (at its slug) with its likes
// and comments, "my posts" with drafts, and the Markdown editor with a server preview.

import { ApiError, api } from "../api.js";
import {
  banner,
  excerpt,
  field,
  formatDate,
  h,
  onSubmit,
  renderSanitizedHtml,
  showBanner,
} from "../dom.js";
import { flash, navigate } from "../session.js";
import { commentsSection } from "./comments.js";
import { authorHref, pageQuery, pager, rangeText, setTitle, statusBadge } from "./common.js";
import { tagCloudBox } from "./tags.js";

export function postHref(post) {
  return `#/p/${encodeURIComponent(post.slug)}`;
}

function tagList(tags) {
  if (!tags?.length) return null;
  return h(
    "ul",
    { class: "tags", "aria-label": "Tags" },
    tags.map((tag) => h("li", {}, h("a", { class: "tag", href: `#/tags/${encodeURIComponent(tag)}` }, tag))),
  );
}

function counts(post) {
  const comments = `${post.comments_count} comment${post.comments_count === 1 ? "" : "s"}`;
  const likes = `${post.likes_count} like${post.likes_count === 1 ? "" : "s"}`;
  return h("p", { class: "meta counts" }, h("span", { class: "likes-count" }, likes), " · ", comments);
}

function byline(post) {
  return h(
    "p",
    { class: "meta" },
    "by ",
    post.author
      ? h("a", { class: "author", href: authorHref(post.author.username) }, post.author.username)
      : h("span", { class: "author" }, "unknown"),
    " · ",
    h("time", { datetime: post.created_at }, formatDate(post.created_at)),
  );
}

export function postCard(post, { showStatus = false } = {}) {
  return h(
    "article",
    { class: "card post-card", dataset: { postId: post.id } },
    h(
      "h2",
      { class: "post-card-title" },
      h("a", { href: postHref(post) }, post.title),
      showStatus ? statusBadge(post) : null,
    ),
    byline(post),
    h("p", { class: "excerpt" }, post.summary || excerpt(post.content)),
    tagList(post.tags),
    counts(post),
  );
}

/** `#/tags/<tag>`: the published posts with one tag. */
export async function tagView({ params, query }) {
  const tag = decodeURIComponent(params[0]);
  setTitle(`Tag: ${tag}`);
  const { data, links } = await api("/posts", { query: pageQuery(query, { tag }) });
  return h(
    "section",
    { class: "post-list tag-page" },
    h("div", { class: "list-head" }, h("h1", {}, "Posts tagged ", h("span", { class: "tag" }, tag))),
    h("p", { class: "muted count" }, rangeText(data, "post"), " · ", h("a", { href: "#/" }, "All posts")),
    data.items.length
      ? h("div", { class: "cards" }, data.items.map((post) => postCard(post)))
      : h("p", { class: "empty" }, "No post has this tag."),
    pager(`/tags/${encodeURIComponent(tag)}`, links),
  );
}

/** "Latest" and "Following" (the people the user follows), for a logged-in user. */
function feedTabs(current, user) {
  if (!user) return null;
  const tab = (key, href, label) =>
    h(
      "a",
      { class: key === current ? "tab active" : "tab", href, "aria-current": key === current ? "page" : undefined },
      label,
    );
  return h(
    "nav",
    { class: "tabs feed-tabs", "aria-label": "Which posts" },
    tab("latest", "#/", "Latest"),
    tab("following", "#/following", "Following"),
  );
}

function searchForm(q) {
  const search = h(
    "form",
    { class: "search", role: "search" },
    h("input", {
      type: "search",
      name: "q",
      value: q,
      placeholder: "Search posts",
      "aria-label": "Search posts",
      maxlength: 200,
    }),
    h("button", { type: "submit" }, "Search"),
  );
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = search.elements.q.value.trim();
    navigate(value ? `#/?q=${encodeURIComponent(value)}` : "#/");
  });
  return search;
}

/**
 * `#/` and `#/?q=…&offset=…`: published posts, newest first, with the tag cloud; with `q`,
 * the search results in the order the server ranks them (no sort is sent).
 */
export async function listView({ query, user }) {
  const q = query.get("q") || "";
  setTitle(q ? `Search: ${q}` : "Posts");
  const [{ data, links }, cloud] = await Promise.all([
    api("/posts", { query: pageQuery(query, { q }) }),
    q ? null : tagCloudBox(),
  ]);

  const heading = q
    ? h("h1", {}, "Results for ", h("q", {}, q))
    : h("h1", {}, "Latest posts");
  const empty = q ? "No posts match your search." : "Nothing has been published yet.";
  return h(
    "section",
    { class: q ? "post-list search-results" : "post-list" },
    q ? null : feedTabs("latest", user),
    h("div", { class: "list-head" }, heading, searchForm(q)),
    h(
      "p",
      { class: "muted count" },
      rangeText(data, "post"),
      q ? [" · ", h("a", { href: "#/" }, "Clear search")] : null,
    ),
    data.items.length
      ? h("div", { class: "cards" }, data.items.map((post) => postCard(post)))
      : h("p", { class: "empty" }, empty),
    pager("/", links),
    cloud,
  );
}

/** `#/following`: the published posts of the people the user follows, newest first. */
export async function followingView({ query, user }) {
  setTitle("Following");
  const { data, links } = await api("/feed", { query: pageQuery(query) });
  return h(
    "section",
    { class: "post-list following-feed" },
    feedTabs("following", user),
    h("div", { class: "list-head" }, h("h1", {}, "From people you follow"), searchForm("")),
    h("p", { class: "muted count" }, rangeText(data, "post")),
    data.items.length
      ? h("div", { class: "cards" }, data.items.map((post) => postCard(post)))
      : h(
          "p",
          { class: "empty" },
          "Nothing here yet. Open an author's page (their name on any post) and follow them.",
        ),
    pager("/following", links),
  );
}

/** `#/p/<slug>`: one post (an old slug lands on the current one); `#/posts/<id>` too. */
export async function postView({ params, user }) {
  const { data: post } = await api(`/posts/by-slug/${encodeURIComponent(params[0])}`);
  return renderPost(post, user);
}

export async function postByIdView({ params, user }) {
  const { data: post } = await api(`/posts/${params[0]}`);
  return renderPost(post, user);
}

function renderPost(post, user) {
  // The address a reader shares is the current slug's, whatever brought them here.
  if (location.hash !== postHref(post)) history.replaceState(null, "", postHref(post));
  setTitle(post.title);
  const mine = user && (user.id === post.user_id || user.is_admin);
  return h(
    "article",
    { class: "post", dataset: { postId: post.id } },
    h("p", { class: "back" }, h("a", { href: "#/" }, "← All posts")),
    h("h1", {}, post.title, post.published ? null : statusBadge(post)),
    byline(post),
    post.summary ? h("p", { class: "summary" }, post.summary) : null,
    tagList(post.tags),
    h("div", { class: "post-body markdown" }, renderSanitizedHtml(post.content_html)),
    h(
      "div",
      { class: "actions" },
      likeButton(post, user),
      mine ? h("a", { class: "button", href: `#/editor/${post.id}` }, "Edit post") : null,
    ),
    commentsSection(post, user),
  );
}

function likeButton(post, user) {
  if (!user) {
    return h(
      "a",
      { class: "button button-quiet like", href: `#/login?next=${encodeURIComponent(postHref(post).slice(1))}` },
      `♥ ${post.likes_count} · Log in to like`,
    );
  }
  const button = h("button", { type: "button", class: "button-quiet like" });
  const errorBanner = banner();
  const show = (state) => {
    button.setAttribute("aria-pressed", String(state.liked));
    button.textContent = `${state.liked ? "♥ Liked" : "♡ Like"} · ${state.likes_count}`;
  };
  show(post);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const liked = button.getAttribute("aria-pressed") === "true";
      const { data } = await api(`/posts/${post.id}/like`, { method: liked ? "DELETE" : "PUT" });
      show(data);
      showBanner(errorBanner, "");
    } catch (error) {
      showBanner(errorBanner, error.message);
    } finally {
      button.disabled = false;
    }
  });
  return h("span", { class: "like-box" }, button, errorBanner);
}

/** `#/my/posts`: the caller's posts, drafts included (the API shows them to their author). */
export async function myPostsView({ user, query }) {
  setTitle("My posts");
  const { data, links } = await api(`/users/${user.id}/posts`, { query: pageQuery(query) });
  const rows = data.items.map((post) =>
    h(
      "li",
      { class: "row", dataset: { postId: post.id } },
      h(
        "div",
        { class: "row-main" },
        h("a", { class: "row-title", href: `#/posts/${post.id}` }, post.title),
        h("span", { class: "meta" }, `updated ${formatDate(post.updated_at)}`),
      ),
      statusBadge(post),
      h("a", { class: "button button-quiet", href: `#/editor/${post.id}` }, "Edit"),
    ),
  );
  return h(
    "section",
    { class: "my-posts" },
    h(
      "div",
      { class: "list-head" },
      h("h1", {}, "My posts"),
      h("a", { class: "button", href: "#/editor" }, "New post"),
    ),
    h("p", { class: "muted count" }, rangeText(data, "post")),
    rows.length
      ? h("ul", { class: "rows card" }, rows)
      : h("p", { class: "empty" }, "You have not written anything yet."),
    pager("/my/posts", links),
  );
}

/** `#/editor` (new post) and `#/editor/<id>`: write, save, publish or unpublish, delete. */
export async function editorView({ params, user }) {
  const id = params[0];
  const loaded = id ? await api(`/posts/${id}`) : null;
  const post = loaded?.data ?? null;
  // The version this form was filled from: a save sends it as If-Match, so a change made
  // meanwhile (another tab, another device) is answered 412 instead of being overwritten.
  let etag = loaded?.etag ?? null;
  setTitle(post ? `Edit: ${post.title}` : "New post");
  if (post && post.user_id !== user.id && !user.is_admin) {
    return h("p", { class: "banner banner-error" }, "You can only edit your own posts.");
  }

  const form = h(
    "form",
    { class: "card editor", novalidate: true },
    banner(),
    field("Title", "title", { value: post?.title ?? "", maxlength: 200, required: true }),
    post
      ? field("Slug", "slug", { value: post.slug, maxlength: 100 }, "The post's address; old ones keep working.")
      : null,
    field("Summary", "summary", { value: post?.summary ?? "", maxlength: 300 }, "Optional, shown on cards."),
    field("Tags", "tags", { value: (post?.tags ?? []).join(", ") }, "Comma-separated, up to 10."),
    field(
      "Content",
      "content",
      { type: "textarea", value: post?.content ?? "", rows: 14, required: true },
      "Markdown (CommonMark).",
    ),
    previewBox(),
    h(
      "div",
      { class: "actions" },
      post
        ? [
            h("button", { type: "submit", name: "action", value: "save" }, "Save changes"),
            post.published
              ? h(
                  "button",
                  { type: "submit", name: "action", value: "unpublish", class: "button-quiet" },
                  "Unpublish",
                )
              : h("button", { type: "submit", name: "action", value: "publish" }, "Publish"),
          ]
        : [
            h(
              "button",
              { type: "submit", name: "action", value: "draft", class: "button-quiet" },
              "Save draft",
            ),
            h("button", { type: "submit", name: "action", value: "publish" }, "Publish"),
          ],
    ),
  );

  onSubmit(form, async (values, _form, submitter) => {
    const action = submitter?.value || (post ? "save" : "draft");
    const body = {
      title: values.title,
      content: values.content,
      summary: values.summary.trim() || null,
      tags: values.tags
        .split(",")
        .map((tag) => tag.trim())
        .filter(Boolean),
    };
    if (post && values.slug !== post.slug) body.slug = values.slug;
    if (action === "publish") body.published = true;
    if (action === "unpublish" || action === "draft") body.published = false;
    let saved;
    try {
      saved = post
        ? await api(`/posts/${post.id}`, { method: "PATCH", body, headers: ifMatch(etag) })
        : await api("/posts", { method: "POST", body });
    } catch (error) {
      if (error.status === 412) throw new ApiError(412, { message: CONFLICT, code: error.code });
      throw error;
    }
    const { data } = saved;
    etag = saved.etag;
    const messages = {
      draft: "Draft saved. Only you can see it.",
      publish: "Published. Everyone can read it now.",
      unpublish: "Unpublished. The post is a draft again.",
      save: "Changes saved.",
    };
    flash(messages[action], "success");
    navigate(`#/editor/${data.id}`);
  });

  return h(
    "section",
    { class: "editor-page" },
    h(
      "div",
      { class: "list-head" },
      h("h1", {}, post ? "Edit post" : "New post", post ? statusBadge(post) : null),
      post ? h("a", { href: `#/posts/${post.id}` }, "View post") : null,
    ),
    form,
    post ? deleteBox(post, () => etag) : null,
  );
}

/** A "Preview" button: the server renders the Markdown exactly as it would store it. */
function previewBox() {
  const output = h("div", { class: "post-body markdown preview", "aria-live": "polite" });
  const errorBanner = banner();
  const region = h("section", { class: "preview-box", hidden: true, "aria-label": "Preview" }, h("h2", {}, "Preview"), output);
  const button = h("button", { type: "button", class: "button-quiet", onClick: show }, "Preview");
  async function show() {
    const content = button.form.elements.content.value;
    button.disabled = true;
    try {
      const { data } = await api("/markdown", { method: "POST", body: { content } });
      output.replaceChildren(renderSanitizedHtml(data.content_html));
      region.hidden = false;
      showBanner(errorBanner, "");
    } catch (error) {
      showBanner(errorBanner, error.message);
    } finally {
      button.disabled = false;
    }
  }
  return h("div", { class: "preview-area" }, h("p", {}, button), errorBanner, region);
}

const CONFLICT =
  "This post was changed elsewhere (another tab or device) since you opened it, so your " +
  "edit was not saved. Your text is still here: copy it, reload the page to see the " +
  "current version, then apply your changes again.";

function ifMatch(etag) {
  return etag ? { "If-Match": etag } : {};
}

function deleteBox(post, etag) {
  const confirmBox = h(
    "div",
    { class: "confirm", hidden: true, role: "alertdialog", "aria-label": "Confirm deletion" },
    h("p", {}, "Delete “", post.title, "” for good? This cannot be undone."),
    h("button", { type: "button", class: "button-danger", onClick: remove }, "Yes, delete it"),
    h("button", { type: "button", class: "button-quiet", onClick: () => toggle(false) }, "Cancel"),
  );
  const errorBanner = banner();
  const start = h(
    "button",
    { type: "button", class: "button-danger-quiet", onClick: () => toggle(true) },
    "Delete post",
  );
  function toggle(open) {
    confirmBox.hidden = !open;
    start.hidden = open;
  }
  async function remove() {
    try {
      await api(`/posts/${post.id}`, { method: "DELETE", headers: ifMatch(etag()) });
    } catch (error) {
      showBanner(errorBanner, error.status === 412 ? CONFLICT : error.message);
      return;
    }
    flash("Post deleted.", "success");
    navigate("#/my/posts");
  }
  return h("div", { class: "danger-zone" }, errorBanner, start, confirmBox);
}
