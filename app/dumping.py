"""Answers dumped as the marshmallow schemas declare them, without marshmallow's per-value work.

The schemas stay the one description of every answer (and of the OpenAPI document). For each
schema, ``dump`` compiles once a plan from its ``dump_fields``: per field the key, the
attribute and a converter that does what that field class's ``_serialize`` does. Marshmallow
spends several function calls, a ``getattr`` chain and keyword handling per value; a page of
20 posts is ~400 values, a quarter of that list's time in the app (issue #15).

Only field classes whose output is known exactly are compiled (``_CONVERTERS``, matched on
the exact class, so a subclass with its own ``_serialize`` is never mistaken for its base,
and this project's fields that declare their ``_serialize`` as a ``serialize_value``);
a schema with any other field, with dump hooks, its own ``get_attribute``, a ``dump_default``,
a dotted ``attribute`` or ``many`` nesting is dumped by marshmallow itself. A test
(``tests/test_dumping.py``) compares both ways on every schema the faces answer with, field by
field, and fails on a field class that is neither compiled nor knowingly left to marshmallow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields
from marshmallow.utils import ensure_text_type, missing

from .fields import Count, Flag

_ABSENT = object()
Converter = Callable[[Any], Any]


def _integer(value: Any) -> Any:
    return None if value is None else int(value)


def _string(value: Any) -> Any:
    return None if value is None else ensure_text_type(value)


def _as_is(value: Any) -> Any:
    # fields.Boolean has no _serialize of its own: Field's answers the value unchanged.
    return value


def _count(value: Any) -> int:
    return 0 if value is None else int(value)


def _flag(value: Any) -> bool:
    return bool(value)


def _string_list(value: Any) -> Any:
    return None if value is None else [_string(item) for item in value]


def _datetime(field: fields.DateTime | fields.Date) -> Converter | None:
    form = field.format or field.DEFAULT_FORMAT
    serialize = field.SERIALIZATION_FUNCS.get(form)  # type: ignore[attr-defined]
    if serialize is None:
        return None

    def convert(value: Any) -> Any:
        return None if value is None else serialize(value)

    return convert


def _list(field: fields.List) -> Converter | None:
    if type(field.inner) is fields.String:
        return _string_list
    each = _nested(field.inner) if type(field.inner) is fields.Nested else None
    if each is None:
        return None

    def convert(value: Any) -> Any:
        return None if value is None else [each(item) for item in value]

    return convert


def _nested(field: fields.Nested) -> Converter | None:
    if field.many:
        return None
    one = _compile(field.schema)
    if one is None:
        return None

    def convert(value: Any) -> Any:
        return None if value is None else one(value)

    return convert


_CONVERTERS: dict[type, Converter] = {
    fields.Integer: _integer,
    fields.String: _string,
    fields.Boolean: _as_is,
    Count: _count,
    Flag: _flag,
}
_BUILDERS: dict[type, Callable[[Any], Converter | None]] = {
    fields.DateTime: _datetime,
    fields.Date: _datetime,
    fields.List: _list,
    fields.Nested: _nested,
}


def _converter(field: fields.Field) -> Converter | None:
    if field.dump_default is not missing:
        return None
    kind = type(field)
    own = kind.__dict__.get("serialize_value")
    if own is not None and "_serialize" in kind.__dict__:
        # A field of this project whose _serialize is ``serialize_value(value)`` and no more.
        return own.__get__(None, kind)  # type: ignore[no-any-return]
    if kind in _CONVERTERS:
        if getattr(field, "as_string", False):
            return None
        return _CONVERTERS[kind]
    build = _BUILDERS.get(kind)
    return build(field) if build is not None else None


def _compile(schema: Schema) -> Callable[[Any], dict[str, Any]] | None:
    """The plan for one object of ``schema``, or None when marshmallow must dump it."""
    if schema._hooks.get("pre_dump") or schema._hooks.get("post_dump"):
        return None
    if type(schema).get_attribute is not Schema.get_attribute:
        return None
    plan = []
    for name, field in schema.dump_fields.items():
        attribute = field.attribute or name
        convert = _converter(field)
        if convert is None or "." in attribute:
            return None
        plan.append((field.data_key or name, attribute, convert))

    def by_key(obj: Any) -> dict[str, Any]:
        # a dict: by key, then by attribute, as marshmallow
        out: dict[str, Any] = {}
        for key, attribute, convert in plan:
            try:
                value = obj[attribute]
            except (KeyError, IndexError, TypeError, AttributeError):
                value = getattr(obj, attribute, _ABSENT)
            if value is not _ABSENT:
                out[key] = convert(value)
        return out

    return _generated(plan, by_key)


def _generated(
    plan: list[tuple[str, str, Converter]], by_key: Callable[[Any], dict[str, Any]]
) -> Callable[[Any], dict[str, Any]]:
    """``dump_one`` for ``plan`` as straight-line code, one statement per field, as
    ``dataclasses`` writes ``__init__``: no loop, no tuple unpacking, and no call for a
    field that answers its value unchanged (``_as_is``); an object read by key (a dict)
    goes to ``by_key``. Keys and attributes are written as ``repr`` literals; converters
    are passed in by name."""
    namespace: dict[str, Any] = {"_ABSENT": _ABSENT, "by_key": by_key}
    lines = [
        "def dump_one(obj):",
        "    if hasattr(obj, '__getitem__'):",
        "        return by_key(obj)",
        "    out = {}",
    ]
    for n, (key, attribute, convert) in enumerate(plan):
        value = "value"
        if convert is not _as_is:
            namespace[f"convert_{n}"] = convert
            value = f"convert_{n}(value)"
        lines += [
            f"    value = getattr(obj, {attribute!r}, _ABSENT)",
            "    if value is not _ABSENT:",
            f"        out[{key!r}] = {value}",
        ]
    lines.append("    return out")
    exec("\n".join(lines), namespace)  # noqa: S102 - the text is built above from literals
    return namespace["dump_one"]  # type: ignore[no-any-return]


#: The test suite sets this: every compiled dump is then compared with marshmallow's own, key
#: order included, so each of the suite's thousands of answers checks the compiled plans.
VERIFY = False

_plans: dict[int, tuple[Schema, Callable[[Any], dict[str, Any]] | None]] = {}


def compiled(schema: Schema) -> Callable[[Any], dict[str, Any]] | None:
    """The compiled dump of ``schema`` (an instance, compiled on first use), or None."""
    entry = _plans.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = _plans[id(schema)] = (schema, _compile(schema))
    return entry[1]


def dump(schema: Schema, obj: Any, *, many: bool | None = None) -> Any:
    """``schema.dump(obj, many=many)``, compiled where that is provably the same."""
    many = schema.many if many is None else many
    one = compiled(schema)
    if one is None:
        return schema.dump(obj, many=many)
    result = [one(item) for item in obj] if many else one(obj)
    if VERIFY:
        expected = schema.dump(obj, many=many)
        if _ordered(result) != _ordered(expected):
            raise AssertionError(f"{type(schema).__name__}: {result!r} != {expected!r}")
    return result


def _ordered(value: Any) -> Any:
    """``value`` with every dict as a list of its items: equal only in the same key order."""
    if isinstance(value, dict):
        return [(key, _ordered(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value
