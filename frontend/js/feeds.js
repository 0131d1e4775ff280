// The Atom feeds a page offers to feed readers: <link rel="alternate"> elements in <head>.
//
// index.html carries the site feed statically (href="/feeds/posts.atom"), so a reader given
// the page's address finds it without running any script. Here its href is made absolute on
// the API's origin (a frontend served from another origin must point at the API's feed),
// and a view may offer one more feed (an author page: that author's posts).

import { API_BASE } from "./config.js";

export function feedUrl(path) {
  return `${API_BASE}/feeds/${path}`;
}

const siteFeed = document.querySelector('link[rel="alternate"][type="application/atom+xml"]');
if (siteFeed) siteFeed.href = feedUrl("posts.atom");

let pageFeed = null;

/** Offer `feed` ({href, title}) besides the site feed; null removes the previous one. */
export function setPageFeed(feed) {
  pageFeed?.remove();
  pageFeed = null;
  if (!feed) return;
  pageFeed = document.createElement("link");
  pageFeed.rel = "alternate";
  pageFeed.type = "application/atom+xml";
  pageFeed.title = feed.title;
  pageFeed.href = feed.href;
  pageFeed.dataset.pageFeed = "";
  document.head.append(pageFeed);
}
