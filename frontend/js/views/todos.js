// "My todos": add, tick, filter open/done, delete. Todos are private to their owner.

import { api } from "../api.js";
import { banner, formatDate, h, onSubmit, showBanner } from "../dom.js";
import { navigate } from "../session.js";
import { pageQuery, pager, rangeText, setTitle } from "./common.js";

// A due date is a calendar day: read it at local noon so no time zone shifts it.
const formatDay = (day) => formatDate(`${day}T12:00:00`);

const FILTERS = {
  all: { label: "All", completed: undefined },
  open: { label: "Open", completed: "false" },
  done: { label: "Done", completed: "true" },
};

/** `#/todos?filter=open|done`: the caller's todos, newest first. */
export async function todosView({ query }) {
  setTitle("My todos");
  const filter = FILTERS[query.get("filter")] ? query.get("filter") : "all";
  const { data, links } = await api("/todos", {
    query: pageQuery(query, {
      completed: FILTERS[filter].completed,
      limit: query.get("limit") || 20,
    }),
  });
  const reload = () => navigate(location.hash || "#/todos");
  const listBanner = banner();

  const addForm = h(
    "form",
    { class: "card add-todo", novalidate: true },
    banner(),
    h(
      "div",
      { class: "inline-fields" },
      h(
        "div",
        { class: "field grow" },
        h("label", { for: "todo-title" }, "New todo"),
        h("input", {
          id: "todo-title",
          name: "title",
          maxlength: 200,
          placeholder: "What needs doing?",
        }),
        h("p", { class: "field-error", dataset: { errorFor: "title" } }),
      ),
      h(
        "div",
        { class: "field" },
        h("label", { for: "todo-due" }, "Due (optional)"),
        h("input", { id: "todo-due", name: "due_date", type: "date" }),
        h("p", { class: "field-error", dataset: { errorFor: "due_date" } }),
      ),
      h("button", { type: "submit" }, "Add"),
    ),
  );
  onSubmit(addForm, async ({ title, due_date }) => {
    await api("/todos", { method: "POST", body: { title, due_date: due_date || null } });
    reload();
  });

  async function act(request) {
    try {
      await request();
      reload();
    } catch (error) {
      showBanner(listBanner, error.message);
    }
  }

  const items = data.items.map((todo) =>
    h(
      "li",
      { class: `row todo${todo.completed ? " done" : ""}`, dataset: { todoId: todo.id } },
      h(
        "label",
        { class: "todo-check" },
        h("input", {
          type: "checkbox",
          checked: todo.completed,
          "aria-label": `Done: ${todo.title}`,
          onChange: (event) =>
            act(() =>
              api(`/todos/${todo.id}`, {
                method: "PATCH",
                body: { completed: event.target.checked },
              }),
            ),
        }),
        h("span", { class: "todo-title" }, todo.title),
      ),
      todo.due_date ? h("span", { class: "meta" }, `due ${formatDay(todo.due_date)}`) : null,
      h(
        "button",
        {
          type: "button",
          class: "button-quiet small",
          "aria-label": `Delete todo: ${todo.title}`,
          onClick: () => act(() => api(`/todos/${todo.id}`, { method: "DELETE" })),
        },
        "Delete",
      ),
    ),
  );

  const tabs = h(
    "nav",
    { class: "tabs", "aria-label": "Filter todos" },
    Object.entries(FILTERS).map(([key, { label }]) =>
      h(
        "a",
        {
          href: key === "all" ? "#/todos" : `#/todos?filter=${key}`,
          class: key === filter ? "tab active" : "tab",
          "aria-current": key === filter ? "page" : undefined,
        },
        label,
      ),
    ),
  );

  const empty = {
    all: "Nothing to do. Add something above.",
    open: "No open todos.",
    done: "Nothing done yet.",
  };
  return h(
    "section",
    { class: "todos" },
    h("div", { class: "list-head" }, h("h1", {}, "My todos"), tabs),
    addForm,
    listBanner,
    h("p", { class: "muted count" }, rangeText(data, "todo")),
    items.length
      ? h("ul", { class: "rows card" }, items)
      : h("p", { class: "empty" }, empty[filter]),
    pager("/todos", links, ["offset", "limit"], filter === "all" ? {} : { filter }),
  );
}
