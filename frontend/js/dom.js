// Building the page without innerHTML: API data only ever becomes text nodes or
// attribute values, so a post titled "<img onerror=...>" is shown, never run.

import { ApiError } from "./api.js";

/** h("a", {href: "#/", class: "x", onClick: fn}, "text", child) -> Element */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "checked" || key === "value" || key === "disabled") {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

const dateFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
});

export function formatDate(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

export function excerpt(text, length = 220) {
  const flat = String(text || "").replace(/\s+/g, " ").trim();
  return flat.length > length ? `${flat.slice(0, length).trimEnd()}…` : flat;
}

// --- forms ---------------------------------------------------------------------------------

/** A labelled input with a place for its error message right below it. */
export function field(label, name, attrs = {}, hint = null) {
  const id = `f-${name}-${Math.random().toString(36).slice(2, 8)}`;
  const control =
    attrs.type === "textarea"
      ? h("textarea", { ...attrs, type: undefined, id, name, "aria-describedby": `${id}-err` })
      : h("input", { type: "text", ...attrs, id, name, "aria-describedby": `${id}-err` });
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    control,
    hint ? h("p", { class: "hint" }, hint) : null,
    h("p", { class: "field-error", id: `${id}-err`, dataset: { errorFor: name } }),
  );
}

export function banner(kind = "error") {
  return h("div", { class: `banner banner-${kind}`, role: "alert", hidden: true });
}

export function showBanner(el, message, kind = "error") {
  el.className = `banner banner-${kind}`;
  el.textContent = message;
  el.hidden = !message;
}

// Duplicate-value answers (409) belong to a field too.
const CODE_FIELDS = { username_taken: "username", email_taken: "email", slug_taken: "slug" };

/** Put an API error next to the fields it concerns; whatever is left goes in the banner. */
export function showErrors(form, error) {
  clearErrors(form);
  const formBanner = form.querySelector(".banner");
  if (!(error instanceof ApiError)) {
    showBanner(formBanner, error?.message || String(error));
    return;
  }
  const fieldErrors = { ...(error.errors || {}) };
  if (CODE_FIELDS[error.code]) fieldErrors[CODE_FIELDS[error.code]] = [error.message];
  const unplaced = [];
  for (const [name, messages] of Object.entries(fieldErrors)) {
    const text = flatten(messages).join(" ");
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    if (slot) {
      slot.textContent = text;
      form.elements[name]?.setAttribute("aria-invalid", "true");
    } else {
      unplaced.push(name === "_schema" ? text : `${name}: ${text}`);
    }
  }
  if (!Object.keys(fieldErrors).length || unplaced.length) {
    const detail = unplaced.length ? `: ${unplaced.join("; ")}` : "";
    showBanner(formBanner, `${error.message}${detail}`);
  }
}

function flatten(messages) {
  if (Array.isArray(messages)) return messages.flatMap(flatten);
  if (messages && typeof messages === "object") return Object.values(messages).flatMap(flatten);
  return [String(messages)];
}

export function clearErrors(form) {
  form.querySelectorAll("[data-error-for]").forEach((slot) => (slot.textContent = ""));
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  const formBanner = form.querySelector(".banner");
  if (formBanner) showBanner(formBanner, "");
}

/**
 * Wire `form` so that submitting it calls `handler(values, form)` with the submit buttons
 * disabled; an error thrown by the handler is shown on the form.
 */
export function onSubmit(form, handler) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => (b.disabled = true));
    try {
      await handler(Object.fromEntries(new FormData(form)), form, event.submitter);
    } catch (error) {
      if (form.isConnected) showErrors(form, error);
      else throw error;
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  });
  return form;
}

// --- server-rendered Markdown -----------------------------------------------------------------

// The elements and attributes the server's sanitizer allows (app/markdown.py); anything else
// is dropped here too. Elements whose text must never show are dropped with their content.
const SAFE_TAGS = new Set(
  (
    "a abbr b blockquote br code dd del details dl dt em h1 h2 h3 h4 h5 h6 hr i img kbd li " +
    "ol p pre q s samp small strong sub summary sup table tbody td tfoot th thead tr u ul"
  ).split(" "),
);
const SAFE_ATTRIBUTES = {
  a: ["href", "title"],
  img: ["src", "alt", "title", "width", "height"],
  ol: ["start"],
  td: ["colspan", "rowspan"],
  th: ["colspan", "rowspan", "scope"],
  abbr: ["title"],
};
const DROPPED_WITH_CONTENT = new Set([
  "script",
  "style",
  "template",
  "iframe",
  "object",
  "svg",
  "math",
]);
const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);
const HTML_NS = "http://www.w3.org/1999/xhtml";

function safeUrl(value) {
  try {
    return SAFE_PROTOCOLS.has(new URL(value, document.baseURI).protocol);
  } catch {
    return false;
  }
}

function copyAllowed(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.append(node.data);
      continue;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) continue; // comments, processing instructions
    const tag = node.localName;
    if (DROPPED_WITH_CONTENT.has(tag)) continue;
    if (!SAFE_TAGS.has(tag) || node.namespaceURI !== HTML_NS) {
      copyAllowed(node, to); // keep the text of an unknown element, not the element
      continue;
    }
    const el = document.createElement(tag);
    for (const name of SAFE_ATTRIBUTES[tag] || []) {
      const value = node.getAttribute(name);
      if (value === null) continue;
      if ((name === "href" || name === "src") && !safeUrl(value)) continue;
      el.setAttribute(name, value);
    }
    if (tag === "a") el.setAttribute("rel", "nofollow noopener noreferrer");
    copyAllowed(node, el);
    to.append(el);
  }
}

/**
 * The one place a string of HTML becomes DOM: `content_html` of posts and comments, which the
 * server rendered from Markdown and sanitized against an allow-list when it was written.
 *
 * DOMParser builds a separate, inert document (no script runs, no image loads, no handler
 * fires there). Nothing of it is adopted: its allow-listed elements and attributes are
 * re-created here with createElement/setAttribute, so even a sanitizer bug on the server
 * cannot carry a script, an event handler or a javascript: URL into the page; the page's
 * CSP (no inline script) is a third layer. Returns a DocumentFragment.
 */
export function renderSanitizedHtml(html) {
  const inert = new DOMParser().parseFromString(String(html ?? ""), "text/html");
  const fragment = document.createDocumentFragment();
  copyAllowed(inert.body, fragment);
  return fragment;
}
