// Where the API lives: <meta name="api-base"> when a deployment pins it there, else the origin
// serving this page. Nothing in the page's URL can change it: a link must never be able to
// point the login form at another server (there used to be an ?api= switch; it is ignored).

function normalise(value) {
  const url = new URL(value, location.href);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`API base must be an http(s) URL, got ${value}`);
  }
  return url.href.replace(/\/+$/, "");
}

function resolveApiBase() {
  const pinned = document.querySelector('meta[name="api-base"]')?.content.trim();
  if (pinned) return normalise(pinned);
  return location.origin;
}

export const API_BASE = resolveApiBase();
export const API_PREFIX = `${API_BASE}/api/v2`;
