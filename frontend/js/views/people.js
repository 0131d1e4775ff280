// Author pages (`#/u/<username>`): the profile (bio, picture, follower counts), a follow
// button, the author's posts and the author's Atom feed.

import { ApiError, api } from "../api.js";
import { banner, h, showBanner } from "../dom.js";
import { feedUrl } from "../feeds.js";
import { authorHref, pageQuery, pager, rangeText, setTitle } from "./common.js";
import { postCard } from "./posts.js";

/** `#/u/<username>`: who they are, how many follow them, and what they published. */
export async function authorView({ params, query, user }) {
  let username;
  try {
    username = decodeURIComponent(params[0]);
  } catch {
    throw new ApiError(404, { message: "There is no such author." });
  }
  const { data: profile } = await api(`/users/by-username/${encodeURIComponent(username)}`);
  const { data, links } = await api(`/users/${profile.id}/posts`, { query: pageQuery(query) });
  setTitle(profile.username);
  const mine = user?.id === profile.id;
  const feed = { href: feedUrl(`users/${profile.id}.atom`), title: `Posts by ${profile.username}` };

  const section = h(
    "section",
    { class: "author-page", dataset: { userId: profile.id } },
    h(
      "header",
      { class: "card author-card" },
      avatar(profile),
      h(
        "div",
        { class: "author-main" },
        h("h1", {}, profile.username),
        profile.bio ? h("p", { class: "bio" }, profile.bio) : null,
        pictureLink(profile),
        followBox(profile, user, mine),
        h(
          "p",
          { class: "meta" },
          h("a", { class: "feed-link", href: feed.href, type: "application/atom+xml" }, "Atom feed"),
          " of their posts",
        ),
      ),
    ),
    h("h2", {}, mine ? "Your posts" : `Posts by ${profile.username}`),
    h("p", { class: "muted count" }, rangeText(data, "post")),
    data.items.length
      ? h("div", { class: "cards" }, data.items.map((post) => postCard(post, { showStatus: mine })))
      : h("p", { class: "empty" }, "Nothing published yet."),
    pager(`/u/${encodeURIComponent(profile.username)}`, links),
  );
  section.pageFeed = feed; // app.js offers it in <head> once this view is the current one
  return section;
}

// The page's CSP allows images from this origin only (no tracking pixels, nothing a post can
// make the reader's browser fetch elsewhere): a picture hosted elsewhere is a link instead.
function sameOrigin(url) {
  try {
    return new URL(url).origin === location.origin;
  } catch {
    return false;
  }
}

function safeHttpUrl(url) {
  try {
    return ["http:", "https:"].includes(new URL(url).protocol) ? url : null;
  } catch {
    return null;
  }
}

function avatar(profile) {
  if (profile.image && safeHttpUrl(profile.image) && sameOrigin(profile.image)) {
    return h("img", { class: "avatar", src: profile.image, alt: "", width: 72, height: 72 });
  }
  const initial = Array.from(profile.username.trim())[0] || "?";
  return h("span", { class: "avatar avatar-initial", "aria-hidden": "true" }, initial.toUpperCase());
}

function pictureLink(profile) {
  const url = profile.image && safeHttpUrl(profile.image);
  if (!url || sameOrigin(url)) return null;
  return h(
    "p",
    { class: "meta" },
    h("a", { class: "picture-link", href: url, target: "_blank", rel: "noopener noreferrer nofollow" }, "Profile picture"),
    " (hosted elsewhere)",
  );
}

function countsText(profile) {
  const followers = `${profile.followers_count} follower${profile.followers_count === 1 ? "" : "s"}`;
  return `${followers} · ${profile.following_count} following`;
}

function followBox(profile, user, mine) {
  const counts = h("span", { class: "follow-counts" }, countsText(profile));
  if (mine) {
    return h("p", { class: "follow-box" }, counts, " · ", h("a", { href: "#/profile" }, "Edit your profile"));
  }
  if (!user) {
    const next = encodeURIComponent(authorHref(profile.username).slice(1));
    return h(
      "p",
      { class: "follow-box" },
      counts,
      " · ",
      h("a", { class: "follow", href: `#/login?next=${next}` }, "Log in to follow"),
    );
  }
  const button = h("button", { type: "button", class: "follow" });
  const errorBanner = banner();
  const show = (state) => {
    button.setAttribute("aria-pressed", String(Boolean(state.following)));
    button.textContent = state.following ? "Unfollow" : "Follow";
    button.className = state.following ? "follow button-quiet" : "follow";
    counts.textContent = countsText(state);
  };
  show(profile);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const following = button.getAttribute("aria-pressed") === "true";
      const { data } = await api(`/users/${profile.id}/follow`, {
        method: following ? "DELETE" : "PUT",
      });
      show(data);
      showBanner(errorBanner, "");
    } catch (error) {
      showBanner(errorBanner, error.message);
    } finally {
      button.disabled = false;
    }
  });
  return h("div", { class: "follow-box" }, h("p", {}, counts), button, errorBanner);
}
