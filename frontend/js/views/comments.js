// A post's comments: read (oldest first, "Show more" follows the Link header), write, edit
// your own, delete your own or any on your post (admins: any).

import { api } from "../api.js";
import {
  banner,
  field,
  formatDate,
  h,
  onSubmit,
  renderSanitizedHtml,
  showBanner,
} from "../dom.js";

const PAGE = 50;

export function commentsSection(post, user) {
  const list = h("ol", { class: "comments", "aria-label": "Comments" });
  const heading = h("h2", {}, "Comments");
  const more = h("button", { type: "button", class: "button-quiet", hidden: true }, "Show more");
  const errorBanner = banner();
  let total = post.comments_count;
  let next = null;

  const setHeading = () => {
    heading.textContent = `Comments (${total})`;
  };

  const canDelete = (comment) =>
    user && (user.id === comment.author.id || user.id === post.user_id || user.is_admin);

  function item(comment) {
    const body = h("div", { class: "comment-body markdown" }, renderSanitizedHtml(comment.content_html));
    const actions = h("div", { class: "comment-actions" });
    const li = h(
      "li",
      { class: "comment card", dataset: { commentId: comment.id } },
      h(
        "p",
        { class: "meta" },
        h("span", { class: "author" }, comment.author.username),
        " · ",
        h("time", { datetime: comment.created_at }, formatDate(comment.created_at)),
      ),
      body,
      actions,
    );
    if (user && user.id === comment.author.id) {
      actions.append(
        h("button", { type: "button", class: "button-quiet small", onClick: edit }, "Edit"),
      );
    }
    if (canDelete(comment)) {
      const remove = h("button", { type: "button", class: "button-danger-quiet small" }, "Delete");
      remove.addEventListener("click", async () => {
        if (remove.dataset.armed !== "true") {
          remove.dataset.armed = "true";
          remove.textContent = "Really delete?";
          return;
        }
        try {
          await api(`/comments/${comment.id}`, { method: "DELETE" });
          li.remove();
          total -= 1;
          setHeading();
        } catch (error) {
          showBanner(errorBanner, error.message);
        }
      });
      actions.append(remove);
    }

    function edit() {
      const form = h(
        "form",
        { class: "comment-edit", novalidate: true },
        banner(),
        field("Edit comment", "content", { type: "textarea", value: comment.content, rows: 4 }),
        h(
          "div",
          { class: "actions" },
          h("button", { type: "submit" }, "Save comment"),
          h("button", { type: "button", class: "button-quiet", onClick: close }, "Cancel"),
        ),
      );
      function close() {
        form.replaceWith(body);
        actions.hidden = false;
      }
      onSubmit(form, async (values) => {
        const { data } = await api(`/comments/${comment.id}`, {
          method: "PATCH",
          body: { content: values.content },
        });
        comment = data;
        body.replaceChildren(renderSanitizedHtml(data.content_html));
        close();
      });
      body.replaceWith(form);
      actions.hidden = true;
      form.elements.content.focus();
    }
    return li;
  }

  async function load(query) {
    try {
      const { data, links } = await api(`/posts/${post.id}/comments`, { query });
      list.append(...data.items.map(item));
      total = data.total;
      setHeading();
      next = links.next ? Object.fromEntries(links.next.searchParams) : null;
      more.hidden = !next;
    } catch (error) {
      showBanner(errorBanner, error.message);
    }
  }
  more.addEventListener("click", () => next && load(next));

  let writer = null;
  if (user) {
    writer = h(
      "form",
      { class: "card comment-form", novalidate: true },
      banner(),
      field("Your comment", "content", { type: "textarea", rows: 4, required: true }, "Markdown."),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Post comment")),
    );
    onSubmit(writer, async (values, form) => {
      const { data } = await api(`/posts/${post.id}/comments`, {
        method: "POST",
        body: { content: values.content },
      });
      form.elements.content.value = "";
      if (!next) list.append(item(data)); // otherwise it shows up at the end of the pages
      total += 1;
      setHeading();
    });
  } else {
    writer = h("p", { class: "muted" }, h("a", { href: "#/login" }, "Log in"), " to comment.");
  }

  setHeading();
  load({ limit: PAGE });
  return h("section", { class: "comments-section" }, heading, errorBanner, list, more, writer);
}
