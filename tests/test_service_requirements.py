"""A test needing PostgreSQL, Redis or a browser skips locally without one, fails under CI."""

import pytest

from .helpers import backends, in_ci, require_service


@pytest.mark.parametrize("value", ["true", "True", "1", "yes"])
def test_ci_is_recognised(value):
    assert in_ci({"CI": value})


@pytest.mark.parametrize("environ", [{}, {"CI": ""}, {"CI": "false"}, {"CI": "0"}])
def test_no_ci_is_recognised(environ):
    assert not in_ci(environ)


def outcome(environ):
    """What ``require_service`` raises for a missing Redis (caught here, so that a skip it
    raises by mistake fails this test instead of skipping it)."""
    try:
        require_service(False, "Redis", "set TEST_REDIS_URL", environ=environ)
    except BaseException as raised:  # skip and fail are BaseExceptions, not Exceptions
        return raised
    return None


def test_a_missing_service_skips_outside_ci():
    raised = outcome({})
    assert type(raised) is pytest.skip.Exception
    assert "Redis is not available: set TEST_REDIS_URL" in str(raised)


def test_a_missing_service_fails_under_ci():
    raised = outcome({"CI": "true"})
    assert type(raised) is pytest.fail.Exception
    assert "CI is set: a missing service fails the run" in str(raised)


@pytest.mark.parametrize("environ", [{}, {"CI": "true"}])
def test_an_available_service_neither_skips_nor_fails(environ):
    assert require_service(True, "Redis", "set TEST_REDIS_URL", environ=environ) is None


def test_postgresql_runs_exist_under_ci_even_without_a_database_url():
    """Otherwise a CI job that lost TEST_DATABASE_URL would drop them without a word."""
    assert backends({}) == ["sqlite"]
    assert backends({"TEST_DATABASE_URL": "postgresql://x"}) == ["sqlite", "postgresql"]
    assert backends({"CI": "true"}) == ["sqlite", "postgresql"]
