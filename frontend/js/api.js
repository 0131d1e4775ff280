// The one place the frontend talks to the API: a fetch wrapper that sends the Bearer token,
// refreshes it once when it has expired, and ends the session on any other 401.
//
// Cookie mode (docs/frontend.md): the refresh token is an HttpOnly cookie the server sets on
// login and refresh; no script here can read it, and nothing stores it. The access token
// lives in this tab's memory only. The session's CSRF token, which the refresh and logout
// calls send back as X-CSRF-Token, is kept in localStorage: every tab of the session shares
// it, and without the cookie it opens nothing. A reload, or a new tab, starts by refreshing.

import { API_PREFIX } from "./config.js";

const CSRF_KEY = "blog.csrf";
const EXPIRED = "Token has expired";

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `Request failed (${status})`);
    this.name = "ApiError";
    this.status = status;
    this.code = body?.code || "error";
    this.errors = body?.errors || null; // 422: {"field": ["message", ...]}
  }
}

// --- the session's secrets -----------------------------------------------------------------

let accessToken = null; // this tab's, in memory only
let refreshing = null; // the refresh in flight, shared by every request of this tab
const logoutListeners = new Set();

function csrfToken() {
  try {
    return localStorage.getItem(CSRF_KEY);
  } catch {
    return null;
  }
}

/** True while this browser holds a session (a CSRF token; the cookie goes with it). */
export function isLoggedIn() {
  return csrfToken() !== null;
}

function startSession({ access_token, csrf_token }) {
  accessToken = access_token;
  localStorage.setItem(CSRF_KEY, csrf_token);
}

export function clearTokens() {
  accessToken = null;
  localStorage.removeItem(CSRF_KEY);
}

/** Call `listener(reason)` whenever the API ends the session (a 401 we cannot recover). */
export function onSessionEnded(listener) {
  logoutListeners.add(listener);
  return () => logoutListeners.delete(listener);
}

function endSession(reason) {
  const hadSession = isLoggedIn();
  clearTokens();
  if (hadSession) logoutListeners.forEach((listener) => listener(reason));
}

// Another tab logged out (or in as someone else): this tab follows.
window.addEventListener("storage", (event) => {
  if (event.key !== CSRF_KEY && event.key !== null) return;
  accessToken = null;
  if (!isLoggedIn()) logoutListeners.forEach((listener) => listener("signed out in another tab"));
});

// --- requests ------------------------------------------------------------------------------

function buildUrl(path, query) {
  const url = new URL(API_PREFIX + path);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  return url.href;
}

/** Parse an RFC 8288 Link header into {rel: URL}. */
export function parseLinks(header) {
  const links = {};
  for (const part of (header || "").split(",")) {
    const match = part.match(/<([^>]*)>\s*;\s*rel="?([^";]+)"?/);
    if (match) links[match[2]] = new URL(match[1]);
  }
  return links;
}

async function send(method, url, body, token, extraHeaders = {}, credentials = "omit") {
  const headers = { Accept: "application/json", ...extraHeaders };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // Only login, refresh and logout carry the refresh cookie (it is scoped to
      // /api/v2/auth anyway); every other call's one credential is the Bearer token.
      credentials,
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, {
      message: `Cannot reach the API at ${API_PREFIX}`,
      code: "network_error",
    });
  }
}

async function readBody(response) {
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  if (!type.includes("json")) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * Spend the refresh cookie for a new access token; concurrent callers of this tab share one
 * refresh. Another tab refreshing at the same moment with the same cookie is fine: the
 * server answers both with the same session's pair (its reuse grace).
 */
function refreshTokens() {
  if (!refreshing) {
    const csrf = csrfToken();
    refreshing = (async () => {
      if (!csrf) return false;
      const response = await send(
        "POST",
        buildUrl("/auth/refresh"),
        {},
        null,
        { "X-CSRF-Token": csrf },
        "include",
      );
      if (!response.ok) return false;
      startSession(await response.json());
      return true;
    })()
      .catch(() => false)
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

/**
 * Call the v2 API. Returns {status, data, links, location}; throws ApiError on failure.
 * `auth: false` sends no token (login, register). `body` may be a function, evaluated
 * for each attempt (logout must send the refresh token that is current after a refresh).
 * `headers`: extra request headers, e.g. `If-Match` with the `etag` a GET returned.
 */
export async function api(path, { method = "GET", body, query, auth = true, headers } = {}) {
  const url = buildUrl(path, query);
  const payload = typeof body === "function" ? body : () => body;
  if (auth && !accessToken && isLoggedIn()) {
    // A reload or a new tab: the session is in the cookie; get this tab an access token.
    if (!(await refreshTokens())) {
      endSession("Your session has expired");
      throw new ApiError(401, { message: "Your session has expired", code: "token_invalid" });
    }
  }
  let usedToken = auth ? accessToken : undefined;
  let response = await send(method, url, payload(), usedToken, headers);

  if (response.status === 401 && usedToken) {
    const error = new ApiError(401, await readBody(response));
    let retried = false;
    if (error.message === EXPIRED) {
      // Another request may already have refreshed while this one was in flight.
      const fresh = accessToken && accessToken !== usedToken ? true : await refreshTokens();
      if (fresh && accessToken) {
        usedToken = accessToken;
        response = await send(method, url, payload(), usedToken, headers);
        retried = true;
      }
    }
    if (!retried || response.status === 401) {
      const final = retried ? new ApiError(401, await readBody(response)) : error;
      endSession(final.message);
      throw final;
    }
  }

  const data = await readBody(response);
  if (!response.ok) throw new ApiError(response.status, data);
  return {
    status: response.status,
    data,
    links: parseLinks(response.headers.get("Link")),
    location: response.headers.get("Location"),
    etag: response.headers.get("ETag"),
  };
}

// --- the session ---------------------------------------------------------------------------

export async function login(username, password) {
  const response = await send(
    "POST",
    buildUrl("/auth/login"),
    { username, password, cookie: true },
    null,
    {},
    "include",
  );
  const data = await readBody(response);
  if (!response.ok) throw new ApiError(response.status, data);
  startSession(data);
}

/** End this session on the server (it clears the cookie), then forget it here regardless. */
export async function logout() {
  try {
    if (isLoggedIn()) {
      if (!accessToken) await refreshTokens();
      if (accessToken) {
        await send(
          "POST",
          buildUrl("/auth/logout"),
          undefined,
          accessToken,
          { "X-CSRF-Token": csrfToken() },
          "include",
        );
      }
    }
  } catch {
    // Already invalid on the server (or unreachable): forgetting it here is all we can do.
  } finally {
    clearTokens();
  }
}

