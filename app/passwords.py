"""Argon2id password hashing with parameters from the app's config."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

# Per app: the hasher built from its config, and a dummy hash with the same parameters,
# verified against when the user does not exist so that an unknown username costs the
# same time as a wrong password.
_EXTENSION_KEY = "blogapi.password_hasher"


def _hasher() -> PasswordHasher:
    app = current_app._get_current_object()
    state = app.extensions.get(_EXTENSION_KEY)
    if state is None:
        cfg = app.config
        kwargs = {"type": Type.ID}
        for key, arg in (
            ("ARGON2_TIME_COST", "time_cost"),
            ("ARGON2_MEMORY_COST", "memory_cost"),
            ("ARGON2_PARALLELISM", "parallelism"),
        ):
            if cfg.get(key):
                kwargs[arg] = int(cfg[key])
        hasher = PasswordHasher(**kwargs)
        state = {"hasher": hasher, "dummy": hasher.hash("dummy password for timing")}
        app.extensions[_EXTENSION_KEY] = state
    return state["hasher"]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def burn_dummy_verify(password: str) -> None:
    """Spend the time of one verification when there is no user to verify against."""
    _hasher()
    verify_password(current_app.extensions[_EXTENSION_KEY]["dummy"], password)
