// Accounts: register, log in, and the profile page (/me) with its four forms.

import { api } from "../api.js";
import { API_BASE } from "../config.js";
import { banner, field, formatDate, h, onSubmit, showBanner, showErrors } from "../dom.js";
import { dropSession, flash, forgetUser, login, navigate, rememberUser } from "../session.js";
import { setTitle } from "./common.js";

// A frontend pointed at another origin says where the password is going.
function apiNotice() {
  if (API_BASE === location.origin) return null;
  return h("p", { class: "hint" }, "Signing in to the API at ", h("code", {}, API_BASE));
}

/** `#/login?next=…`: exchange username and password for tokens. */
export async function loginView({ query, user }) {
  setTitle("Log in");
  if (user) return h("p", {}, "You are logged in as ", h("strong", {}, user.username), ".");
  const form = h(
    "form",
    { class: "card narrow", novalidate: true },
    h("h1", {}, "Log in"),
    apiNotice(),
    banner(),
    field("Username or e-mail", "username", {
      value: query.get("username") || "",
      autocomplete: "username",
      required: true,
    }),
    field("Password", "password", {
      type: "password",
      autocomplete: "current-password",
      required: true,
    }),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Log in")),
    h("p", { class: "muted" }, "No account yet? ", h("a", { href: "#/register" }, "Register")),
    h("p", { class: "muted" }, h("a", { href: "#/forgot-password" }, "Forgot your password?")),
  );
  onSubmit(form, async ({ username, password }) => {
    await login(username.trim(), password);
    const next = query.get("next");
    navigate(next?.startsWith("/") ? `#${next}` : "#/my/posts");
  });
  return form;
}

/** `#/register`: create an account, then log in with it. */
export async function registerView({ user }) {
  setTitle("Register");
  if (user) return h("p", {}, "You already have an account.");
  const form = h(
    "form",
    { class: "card narrow", novalidate: true },
    h("h1", {}, "Create an account"),
    apiNotice(),
    banner(),
    field("Username", "username", { autocomplete: "username", maxlength: 64, required: true }),
    field("E-mail (optional)", "email", { type: "email", autocomplete: "email" }),
    field(
      "Password",
      "password",
      { type: "password", autocomplete: "new-password", required: true },
      "At least 8 characters.",
    ),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Register")),
    h("p", { class: "muted" }, "Have an account? ", h("a", { href: "#/login" }, "Log in")),
  );
  onSubmit(form, async ({ username, email, password }) => {
    const body = { username, password };
    if (email.trim()) body.email = email.trim();
    const { data } = await api("/users", { method: "POST", body, auth: false });
    flash(`Welcome, ${data.username}! Your account is ready; log in to start writing.`, "success");
    navigate(`#/login?username=${encodeURIComponent(data.username)}`);
  });
  return form;
}

/** `#/profile`: see and change the account; a password change ends every session. */
export async function profileView() {
  setTitle("Profile");
  const { data: me } = await api("/me");

  const usernameForm = h(
    "form",
    { class: "card", novalidate: true, dataset: { form: "username" } },
    h("h2", {}, "Username"),
    banner(),
    field("Username", "username", { value: me.username, maxlength: 64, required: true }),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Change username")),
  );
  onSubmit(usernameForm, async ({ username }) => {
    const { data } = await api("/me", { method: "PATCH", body: { username } });
    rememberUser(data);
    flash("Username changed.", "success");
    navigate("#/profile");
  });

  const emailForm = h(
    "form",
    { class: "card", novalidate: true, dataset: { form: "email" } },
    h("h2", {}, "E-mail"),
    banner(),
    field("E-mail", "email", { type: "email", value: me.email ?? "" }, "Leave empty to remove it."),
    field("Current password", "current_password", {
      type: "password",
      autocomplete: "current-password",
    }),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Change e-mail")),
  );
  onSubmit(emailForm, async ({ email, current_password }) => {
    const body = { email: email.trim() || null, current_password };
    const { data } = await api("/me", { method: "PATCH", body });
    rememberUser(data);
    flash(data.email ? "E-mail changed. We sent a link to confirm it." : "E-mail removed.", "success");
    navigate("#/profile");
  });

  const passwordForm = h(
    "form",
    { class: "card", novalidate: true, dataset: { form: "password" } },
    h("h2", {}, "Password"),
    h("p", { class: "hint" }, "Changing it signs you out everywhere, this tab included."),
    banner(),
    field("New password", "password", { type: "password", autocomplete: "new-password" }),
    field("Repeat new password", "password_repeat", {
      type: "password",
      autocomplete: "new-password",
    }),
    field("Current password", "current_password", {
      type: "password",
      autocomplete: "current-password",
    }),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Change password")),
  );
  onSubmit(passwordForm, async ({ password, password_repeat, current_password }, form) => {
    if (password !== password_repeat) {
      showErrors(form, { message: "Check the form." });
      form.querySelector('[data-error-for="password_repeat"]').textContent =
        "The two passwords differ.";
      return;
    }
    await api("/me", { method: "PATCH", body: { password, current_password } });
    // Every token died with the old password: forget ours and log in again.
    dropSession();
    flash("Password changed. Log in again with your new password.", "success");
    navigate(`#/login?username=${encodeURIComponent(me.username)}`);
  });

  const deleteForm = h(
    "form",
    { class: "card danger-zone", novalidate: true, dataset: { form: "delete" } },
    h("h2", {}, "Delete account"),
    h("p", {}, "This deletes your account with all your posts and todos. It cannot be undone."),
    banner(),
    field("Current password", "current_password", {
      type: "password",
      autocomplete: "current-password",
    }),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "button-danger" }, "Delete my account"),
    ),
  );
  onSubmit(deleteForm, async ({ current_password }) => {
    await api("/me", { method: "DELETE", body: { current_password } });
    dropSession();
    flash("Your account has been deleted.", "success");
    navigate("#/");
  });

  return h(
    "section",
    { class: "profile" },
    h("h1", {}, "Profile"),
    h(
      "dl",
      { class: "card facts" },
      h("dt", {}, "Username"),
      h("dd", { dataset: { fact: "username" } }, me.username),
      h("dt", {}, "E-mail"),
      h("dd", { dataset: { fact: "email" } }, me.email || "—"),
      h("dt", {}, "Member since"),
      h("dd", {}, formatDate(me.created_at)),
      me.is_admin ? [h("dt", {}, "Role"), h("dd", {}, "Administrator")] : null,
    ),
    usernameForm,
    emailForm,
    passwordForm,
    deleteForm,
  );
}

/** `#/forgot-password`: ask for a reset mail (the answer is the same for any address). */
export async function forgotPasswordView({ user }) {
  setTitle("Forgot password");
  if (user) return h("p", {}, "You are logged in; change your password on your profile.");
  const done = h("div", { role: "status" });
  const form = h(
    "form",
    { class: "card narrow", novalidate: true },
    h("h1", {}, "Forgot your password?"),
    h("p", { class: "hint" }, "Enter the e-mail address of your account: we mail you a link."),
    banner(),
    field("E-mail", "email", { type: "email", autocomplete: "email", required: true }),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Send me a link")),
    done,
  );
  onSubmit(form, async ({ email }) => {
    const { data } = await api("/auth/password-reset", {
      method: "POST",
      body: { email: email.trim() },
      auth: false,
    });
    showBanner(done, data.message, "success");
  });
  return form;
}

/** `#/reset-password?token=…`: the link of a reset mail; choose a new password. */
export async function resetPasswordView({ query }) {
  setTitle("Reset password");
  const token = query.get("token") || "";
  const form = h(
    "form",
    { class: "card narrow", novalidate: true },
    h("h1", {}, "Choose a new password"),
    h("p", { class: "hint" }, "Every device signed in to your account will be signed out."),
    banner(),
    field(
      "New password",
      "password",
      { type: "password", autocomplete: "new-password", required: true },
      "At least 8 characters.",
    ),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Set password")),
  );
  onSubmit(form, async ({ password }) => {
    await api("/auth/password-reset/confirm", {
      method: "POST",
      body: { token, password },
      auth: false,
    });
    dropSession();
    flash("Your password is changed. Log in with it.", "success");
    navigate("#/login");
  });
  return form;
}

/** `#/verify-email?token=…`: the link of a verification mail, confirmed on arrival. */
export async function verifyEmailView({ query }) {
  setTitle("Verify e-mail");
  await api("/auth/verify-email", {
    method: "POST",
    body: { token: query.get("token") || "" },
    auth: false,
  });
  forgetUser();
  flash("Your e-mail address is verified. Thank you!", "success");
  navigate("#/");
  return h("p", {}, "Your e-mail address is verified.");
}
