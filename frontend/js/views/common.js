// Pieces several views share: the pager that follows the API's Link header, badges, titles.

import { h } from "../dom.js";

/**
 * Prev/next links built from the API's `Link` rel="prev"/"next": the paging parameters
 * of those URLs are carried into this view's hash, so a page is bookmarkable. Post lists'
 * `next` carries an opaque `after` cursor instead of `offset`; it is passed back as is.
 */
export function pager(basePath, links, keep = ["offset", "after", "limit", "q"], extra = {}) {
  const href = (url) => {
    const params = new URLSearchParams(extra);
    for (const key of keep) {
      const value = url.searchParams.get(key);
      if (value !== null && value !== "") params.set(key, value);
    }
    return `#${basePath}?${params}`;
  };
  if (!links.prev && !links.next) return null;
  return h(
    "nav",
    { class: "pager", "aria-label": "Pages" },
    links.prev
      ? h("a", { class: "button button-quiet", href: href(links.prev), rel: "prev" }, "← Previous")
      : h("span"),
    links.next
      ? h("a", { class: "button button-quiet", href: href(links.next), rel: "next" }, "Next →")
      : h("span"),
  );
}

export function pageQuery(query, extra = {}) {
  return {
    offset: query.get("offset"),
    after: query.get("after"),
    limit: query.get("limit"),
    ...extra,
  };
}

export function rangeText(data, noun) {
  if (!data.total) return "";
  const first = data.offset + 1;
  const last = data.offset + data.count;
  return `${first}–${last} of ${data.total} ${noun}${data.total === 1 ? "" : "s"}`;
}

/** An author's page: `#/u/<username>`. */
export function authorHref(username) {
  return `#/u/${encodeURIComponent(username)}`;
}

export function statusBadge(post) {
  return post.published
    ? h("span", { class: "badge badge-published" }, "Published")
    : h("span", { class: "badge badge-draft" }, "Draft");
}

export function setTitle(...parts) {
  document.title = [...parts, "Blog"].filter(Boolean).join(" · ");
}
