"""Flask extensions, created unbound and bound to an app in ``create_app``."""

from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_marshmallow import Marshmallow
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations reversible on PostgreSQL and SQLite alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
ma = Marshmallow()
migrate = Migrate()
cors = CORS()


def make_limiter() -> Limiter:
    """Return a new, unbound Limiter; every app gets its own (``auth.register_login_rate_limit``).

    Flask-Limiter keeps its storage, key prefix and on/off switch on the Limiter object, so
    one module-level instance bound to several apps in a process (the test suite, two
    "workers" in one test) lets the last app's settings silently replace the others'.
    """
    return Limiter(key_func=get_remote_address, default_limits=[])
