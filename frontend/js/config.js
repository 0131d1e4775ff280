// Where the API lives. Order: <meta name="api-base"> (a deployment pins it there, and then
// nothing else can change it), else ?api=http://host:port, else the origin serving this page.

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
  const fromQuery = new URLSearchParams(location.search).get("api");
  if (fromQuery) return normalise(fromQuery);
  return location.origin;
}

export const API_BASE = resolveApiBase();
export const API_PREFIX = `${API_BASE}/api/v2`;
