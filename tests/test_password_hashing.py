"""Production hashes passwords with Argon2id at or above the OWASP minimum."""

import pytest
from argon2 import Type, extract_parameters

from app import create_app
from app.passwords import hash_password

STRONG_SECRET = "a-production-secret-that-is-long-enough-0123456789"


def production_app(**overrides):
    return create_app(
        "production",
        {"SECRET_KEY": STRONG_SECRET, "SQLALCHEMY_DATABASE_URI": "sqlite://", **overrides},
    )


def test_production_hashes_meet_the_owasp_minimum():
    app = production_app()
    with app.app_context():
        params = extract_parameters(hash_password("correct horse battery staple"))
    assert params.type is Type.ID
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2


@pytest.mark.parametrize(
    "overrides",
    [{"ARGON2_MEMORY_COST": 8}, {"ARGON2_TIME_COST": 1}, {"ARGON2_MEMORY_COST": 19455}],
)
def test_production_refuses_weak_argon2_parameters(overrides):
    with pytest.raises(RuntimeError, match="ARGON2_"):
        production_app(**overrides)


def test_production_accepts_the_owasp_minimum_itself():
    app = production_app(ARGON2_MEMORY_COST=19 * 1024, ARGON2_TIME_COST=2, ARGON2_PARALLELISM=1)
    with app.app_context():
        params = extract_parameters(hash_password("correct horse battery staple"))
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)
