// The tag cloud (`GET /tags`): each tag sized by how many published posts carry it, linking
// to its page (`#/tags/<tag>`). Sizes are classes, not inline styles: the CSP forbids those.

import { api } from "../api.js";
import { h } from "../dom.js";
import { pageQuery, pager, rangeText, setTitle } from "./common.js";

const SIZES = 5;

/** The size class (1…SIZES) of a tag used `count` times when the most used has `max`. */
export function sizeOf(count, max) {
  if (max <= 1) return 1;
  return 1 + Math.round(((SIZES - 1) * Math.log(count)) / Math.log(max));
}

/** A cloud of `{name, count}` items, alphabetical, sized by count. */
export function tagCloud(items) {
  const max = Math.max(1, ...items.map((tag) => tag.count));
  const sorted = [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return h(
    "ul",
    { class: "tag-cloud", "aria-label": "Tags" },
    sorted.map((tag) =>
      h(
        "li",
        {},
        h(
          "a",
          {
            class: `cloud-tag cloud-${sizeOf(tag.count, max)}`,
            href: `#/tags/${encodeURIComponent(tag.name)}`,
            title: `${tag.count} post${tag.count === 1 ? "" : "s"}`,
            dataset: { count: tag.count },
          },
          tag.name,
        ),
      ),
    ),
  );
}

/** The home page's cloud: the 30 most used tags, and a link to all of them. */
export async function tagCloudBox() {
  let data;
  try {
    ({ data } = await api("/tags", { query: { limit: 30 } }));
  } catch {
    return null; // the posts matter more than the cloud: the page goes on without it
  }
  if (!data.items.length) return null;
  return h(
    "aside",
    { class: "card cloud-box", "aria-labelledby": "cloud-title" },
    h("h2", { id: "cloud-title" }, "Tags"),
    tagCloud(data.items),
    data.total > data.items.length
      ? h("p", { class: "meta" }, h("a", { href: "#/tags" }, `All ${data.total} tags`))
      : null,
  );
}

/** `#/tags`: every tag of a published post, a hundred at a time. */
export async function tagsView({ query }) {
  setTitle("Tags");
  const { data, links } = await api("/tags", { query: { ...pageQuery(query), limit: query.get("limit") || 100 } });
  return h(
    "section",
    { class: "tags-page" },
    h("div", { class: "list-head" }, h("h1", {}, "Tags")),
    h("p", { class: "muted count" }, rangeText(data, "tag")),
    data.items.length
      ? h("div", { class: "card" }, tagCloud(data.items))
      : h("p", { class: "empty" }, "No published post has a tag yet."),
    pager("/tags", links),
  );
}
