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
    [{"ARGON2_MEMORY_COST": 1024}, {"ARGON2_TIME_COST": 1}, {"ARGON2_MEMORY_COST": 19455}],
)
def test_production_warns_about_weak_argon2_parameters(overrides):
    with pytest.warns(RuntimeWarning, match="below the OWASP minimum"):
        app = production_app(**overrides)
    with app.app_context():  # it still serves, with what the operator asked for
        params = extract_parameters(hash_password("correct horse battery staple"))
    for key, value in overrides.items():
        assert getattr(params, key.removeprefix("ARGON2_").lower()) == value


def test_production_accepts_the_owasp_minimum_itself(recwarn):
    app = production_app(ARGON2_MEMORY_COST=19 * 1024, ARGON2_TIME_COST=2, ARGON2_PARALLELISM=1)
    with app.app_context():
        params = extract_parameters(hash_password("correct horse battery staple"))
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)
    assert not [w for w in recwarn if "OWASP" in str(w.message)]
