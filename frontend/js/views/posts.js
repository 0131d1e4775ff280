// Posts: the public list with search, one post, "my posts" with drafts, and the editor.

import { ApiError, api } from "../api.js";
import { banner, excerpt, field, formatDate, h, onSubmit, showBanner } from "../dom.js";
import { flash, navigate } from "../session.js";
import { pageQuery, pager, rangeText, setTitle, statusBadge } from "./common.js";

function byline(post) {
  return h(
    "p",
    { class: "meta" },
    "by ",
    h("span", { class: "author" }, post.author?.username ?? "unknown"),
    " · ",
    h("time", { datetime: post.created_at }, formatDate(post.created_at)),
  );
}

function postCard(post, { showStatus = false } = {}) {
  return h(
    "article",
    { class: "card post-card", dataset: { postId: post.id } },
    h(
      "h2",
      { class: "post-card-title" },
      h("a", { href: `#/posts/${post.id}` }, post.title),
      showStatus ? statusBadge(post) : null,
    ),
    byline(post),
    h("p", { class: "excerpt" }, excerpt(post.content)),
  );
}

/** `#/` and `#/?q=…&offset=…`: published posts, newest first. */
export async function listView({ query }) {
  const q = query.get("q") || "";
  setTitle(q ? `Search: ${q}` : "Posts");
  const { data, links } = await api("/posts", { query: pageQuery(query, { q }) });

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

  const heading = q
    ? h("h1", {}, "Results for ", h("q", {}, q))
    : h("h1", {}, "Latest posts");
  const empty = q ? "No posts match your search." : "Nothing has been published yet.";
  return h(
    "section",
    { class: "post-list" },
    h("div", { class: "list-head" }, heading, search),
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
  );
}

/** `#/posts/<id>`: one post; its author also gets an edit link. */
export async function postView({ params, user }) {
  const { data: post } = await api(`/posts/${params[0]}`);
  setTitle(post.title);
  const mine = user && (user.id === post.user_id || user.is_admin);
  return h(
    "article",
    { class: "post" },
    h("p", { class: "back" }, h("a", { href: "#/" }, "← All posts")),
    h("h1", {}, post.title, post.published ? null : statusBadge(post)),
    byline(post),
    h("div", { class: "post-body" }, post.content),
    mine
      ? h(
          "p",
          { class: "actions" },
          h("a", { class: "button", href: `#/editor/${post.id}` }, "Edit post"),
        )
      : null,
  );
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
    field("Content", "content", {
      type: "textarea",
      value: post?.content ?? "",
      rows: 14,
      required: true,
    }),
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
    const body = { title: values.title, content: values.content };
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
