// Who is logged in, one-line messages that survive a navigation, and moving between views.

import { api, clearTokens, isLoggedIn, login as apiLogin, logout as apiLogout } from "./api.js";

let me = null; // the /me answer, fetched once per page load

export async function currentUser() {
  if (!isLoggedIn()) {
    me = null;
    return null;
  }
  if (!me) me = (await api("/me")).data;
  return me;
}

export function rememberUser(user) {
  me = user;
}

export function forgetUser() {
  me = null;
}

export async function login(username, password) {
  await apiLogin(username, password);
  me = null;
  return currentUser();
}

export async function logout() {
  await apiLogout();
  me = null;
}

/** Forget the tokens locally (the server already killed them, e.g. after a password change). */
export function dropSession() {
  clearTokens();
  me = null;
}

// --- flash messages and navigation ---------------------------------------------------------

let pendingFlash = null;

export function flash(message, kind = "info") {
  pendingFlash = { message, kind };
}

export function takeFlash() {
  const value = pendingFlash;
  pendingFlash = null;
  return value;
}

export function navigate(hash) {
  if (location.hash === hash) {
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = hash;
  }
}
