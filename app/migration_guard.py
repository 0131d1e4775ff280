"""Refusing a destructive ``flask db downgrade`` unless the operator confirmed it."""

from __future__ import annotations

import os

from alembic import context


def confirm_destructive_downgrade(what: str) -> None:
    """Stop unless ``-x confirm=yes`` or ALLOW_DESTRUCTIVE_DOWNGRADE=yes was given."""
    confirmed = context.get_x_argument(as_dictionary=True).get("confirm") == "yes"
    if confirmed or os.getenv("ALLOW_DESTRUCTIVE_DOWNGRADE") == "yes":
        return
    raise SystemExit(
        f"Refusing to downgrade: {what}, deleting all their data. Back up first "
        "(docs/deploying.md), then run again with -x confirm=yes, e.g. "
        "flask --app app db downgrade -x confirm=yes"
    )
