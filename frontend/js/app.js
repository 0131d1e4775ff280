// The page: a hash router, the navigation bar, flash messages and the error page.

import { ApiError, onSessionEnded } from "./api.js";
import { API_BASE } from "./config.js";
import { clear, h, showBanner } from "./dom.js";
import { currentUser, flash, forgetUser, logout, navigate, takeFlash } from "./session.js";
import * as account from "./views/account.js";
import { setTitle } from "./views/common.js";
import * as posts from "./views/posts.js";
import * as sessions from "./views/sessions.js";
import * as todos from "./views/todos.js";

const ROUTES = [
  { path: /^\/$/, view: posts.listView },
  { path: /^\/p\/([^/]+)$/, view: posts.postView },
  { path: /^\/posts\/(\d+)$/, view: posts.postByIdView },
  { path: /^\/tags\/([^/]+)$/, view: posts.tagView },
  { path: /^\/login$/, view: account.loginView },
  { path: /^\/register$/, view: account.registerView },
  { path: /^\/forgot-password$/, view: account.forgotPasswordView },
  { path: /^\/reset-password$/, view: account.resetPasswordView },
  { path: /^\/verify-email$/, view: account.verifyEmailView },
  { path: /^\/sessions$/, view: sessions.sessionsView, auth: true },
  { path: /^\/my\/posts$/, view: posts.myPostsView, auth: true },
  { path: /^\/editor$/, view: posts.editorView, auth: true },
  { path: /^\/editor\/(\d+)$/, view: posts.editorView, auth: true },
  { path: /^\/todos$/, view: todos.todosView, auth: true },
  { path: /^\/profile$/, view: account.profileView, auth: true },
];

const viewEl = document.getElementById("view");
const navEl = document.getElementById("nav");
const flashEl = document.getElementById("flash");
const verifyEl = document.getElementById("verify-banner");

// Until the account's e-mail is verified, say so on every page.
function renderVerifyBanner(user) {
  clear(verifyEl);
  if (!user?.email || user.email_verified) return;
  const el = h("div", { dataset: { banner: "verify-email" } });
  showBanner(
    el,
    `Please verify your e-mail address: open the link we sent to ${user.email}.`,
    "info",
  );
  verifyEl.append(el);
}

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const cut = raw.indexOf("?");
  const path = cut === -1 ? raw : raw.slice(0, cut);
  const query = new URLSearchParams(cut === -1 ? "" : raw.slice(cut + 1));
  return { path, query, raw };
}

function renderNav(user, path) {
  const link = (href, label) =>
    h("a", { href, "aria-current": `#${path}` === href ? "page" : undefined }, label);
  const items = user
    ? [
        link("#/", "Posts"),
        link("#/my/posts", "My posts"),
        link("#/editor", "New post"),
        link("#/todos", "Todos"),
        link("#/sessions", "Sessions"),
        link("#/profile", user.username),
        h(
          "button",
          { type: "button", class: "button-quiet small", id: "logout", onClick: onLogout },
          "Log out",
        ),
      ]
    : [link("#/", "Posts"), link("#/login", "Log in"), link("#/register", "Register")];
  clear(navEl).append(...items);
  document.body.dataset.session = user ? "user" : "anonymous";
}

async function onLogout() {
  await logout();
  flash("You are logged out.", "success");
  navigate("#/login");
}

function errorPage(error) {
  if (error instanceof ApiError && error.status === 404) {
    setTitle("Not found");
    return h(
      "section",
      { class: "not-found" },
      h("h1", {}, "Not found"),
      h("p", {}, error.message),
      h("p", {}, h("a", { href: "#/" }, "Back to the posts")),
    );
  }
  const box = h("div");
  showBannerInto(box, error);
  return box;
}

function showBannerInto(container, error) {
  const el = h("div", { role: "alert" });
  showBanner(el, error?.message || String(error));
  container.append(el);
}

let renderCount = 0;

async function render() {
  const id = ++renderCount;
  const { path, query, raw } = parseHash();
  const match = ROUTES.map((route) => ({ route, m: route.path.exec(path) })).find((r) => r.m);
  let user = null;
  try {
    user = await currentUser();
  } catch (error) {
    // A 401 here has already ended the session, and its listener is showing the login.
    if (id !== renderCount || (error instanceof ApiError && error.status === 401)) return;
    flash(error.message, "error");
  }
  if (id !== renderCount) return; // a newer navigation won

  renderNav(user, path);
  renderVerifyBanner(user);
  let node;
  if (!match) {
    node = errorPage(new ApiError(404, { message: "There is no such page." }));
  } else if (match.route.auth && !user) {
    flash("Log in to see that page.", "info");
    navigate(`#/login?next=${encodeURIComponent(raw)}`);
    return;
  } else {
    try {
      node = await match.route.view({ params: match.m.slice(1), query, user });
    } catch (error) {
      node = errorPage(error);
    }
  }
  if (id !== renderCount) return;

  const message = takeFlash();
  clear(flashEl);
  if (message) {
    const el = h("div");
    showBanner(el, message.message, message.kind);
    flashEl.append(el);
  }
  clear(viewEl).append(node);
  document.body.dataset.view = path;
  document.body.dataset.ready = "true";
}

// The API ended the session (a revoked or invalid token, or a refresh that failed).
onSessionEnded((reason) => {
  renderCount++; // the render in flight (whose request found the session over) gives way
  forgetUser();
  flash(`Your session has ended (${reason}). Please log in again.`, "error");
  navigate(`#/login`);
});

document.getElementById("api-origin").textContent = API_BASE;
window.addEventListener("hashchange", () => {
  document.body.dataset.ready = "false";
  render();
});
render();
