// The one place the frontend talks to the API: a fetch wrapper that sends the Bearer token,
// refreshes it once when it has expired, and ends the session on any other 401.
//
// Tokens live in memory and in sessionStorage (see docs/frontend.md for the trade-off):
// they survive a reload of this tab, are not shared with other tabs and die with the tab.

import { API_PREFIX } from "./config.js";

const STORAGE_KEY = "blog.tokens";
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

// --- token store ---------------------------------------------------------------------------

function readStoredTokens() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY));
    return stored?.access_token && stored?.refresh_token ? stored : null;
  } catch {
    return null;
  }
}

let tokens = readStoredTokens();
let refreshing = null; // the refresh in flight, shared by every request that needs it
const logoutListeners = new Set();

export function isLoggedIn() {
  return tokens !== null;
}

export function setTokens({ access_token, refresh_token }) {
  tokens = { access_token, refresh_token };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
}

export function clearTokens() {
  tokens = null;
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Call `listener(reason)` whenever the API ends the session (a 401 we cannot recover). */
export function onSessionEnded(listener) {
  logoutListeners.add(listener);
  return () => logoutListeners.delete(listener);
}

function endSession(reason) {
  const hadSession = tokens !== null;
  clearTokens();
  if (hadSession) logoutListeners.forEach((listener) => listener(reason));
}

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

async function send(method, url, body, accessToken, extraHeaders = {}) {
  const headers = { Accept: "application/json", ...extraHeaders };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  try {
    return await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit", // the token is the only credential; no cookies involved
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

/** Spend the refresh token for a new pair; concurrent callers share one refresh. */
function refreshTokens() {
  if (!refreshing) {
    const refreshToken = tokens?.refresh_token;
    refreshing = (async () => {
      if (!refreshToken) return false;
      const response = await send("POST", buildUrl("/auth/refresh"), {
        refresh_token: refreshToken,
      });
      if (!response.ok) return false;
      setTokens(await response.json()); // rotation: the old refresh token is now dead
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
  let usedToken = auth ? tokens?.access_token : undefined;
  let response = await send(method, url, payload(), usedToken, headers);

  if (response.status === 401 && usedToken) {
    const error = new ApiError(401, await readBody(response));
    let retried = false;
    if (error.message === EXPIRED) {
      // Another request may already have refreshed while this one was in flight.
      const fresh = tokens && tokens.access_token !== usedToken ? true : await refreshTokens();
      if (fresh && tokens) {
        usedToken = tokens.access_token;
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
  const { data } = await api("/auth/login", {
    method: "POST",
    body: { username, password },
    auth: false,
  });
  setTokens(data);
}

/** Revoke both tokens on the server, then forget them here whatever the server said. */
export async function logout() {
  try {
    if (tokens) {
      const body = () => ({ refresh_token: tokens?.refresh_token });
      await api("/auth/logout", { method: "POST", body });
    }
  } catch {
    // Already invalid on the server (or unreachable): forgetting it here is all we can do.
  } finally {
    clearTokens();
  }
}
