// The signed-in devices (`#/sessions`): one row per session, "Sign out this device".

import { api } from "../api.js";
import { formatDate, h, showBanner } from "../dom.js";
import { flash, logout, navigate } from "../session.js";
import { setTitle } from "./common.js";

function deviceRow(session, onSignOut) {
  const button = h(
    "button",
    { type: "button", class: "button-quiet small", dataset: { action: "sign-out" } },
    session.current ? "Sign out (this device)" : "Sign out this device",
  );
  button.addEventListener("click", () => onSignOut(session, button));
  return h(
    "li",
    { class: "card session", dataset: { session: String(session.id), current: String(session.current) } },
    h("strong", { class: "device" }, session.user_agent || "Unknown device"),
    session.current ? h("span", { class: "badge" }, "this device") : null,
    h(
      "p",
      { class: "muted" },
      `Signed in ${formatDate(session.created_at)} · last active ${formatDate(session.last_used_at)}`,
    ),
    h("div", { class: "actions" }, button),
  );
}

/** `#/sessions`: every live session of the account; end any of them. */
export async function sessionsView() {
  setTitle("Sessions");
  const { data } = await api("/me/sessions", { query: { limit: 100 } });
  const alert = h("div", { role: "alert" });

  async function signOut(session, button) {
    button.disabled = true;
    try {
      if (session.current) {
        await logout();
        flash("You are logged out.", "success");
        navigate("#/login");
        return;
      }
      await api(`/me/sessions/${session.id}`, { method: "DELETE" });
      flash("That device is signed out.", "success");
      navigate("#/sessions");
    } catch (error) {
      button.disabled = false;
      showBanner(alert, error.message);
    }
  }

  return h(
    "section",
    { class: "sessions" },
    h("h1", {}, "Sessions"),
    h("p", { class: "hint" }, "The devices signed in to your account. Signing one out ends it at its next request."),
    alert,
    h("ul", { class: "plain session-list" }, ...data.items.map((s) => deviceRow(s, signOut))),
  );
}
