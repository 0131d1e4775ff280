"""Flask extensions, created unbound and bound to an app in ``create_app``."""

from typing import Any

from flask import g, has_app_context
from flask_cors import CORS
from flask_marshmallow import Marshmallow
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.attributes import instance_state

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


# Views commit, then return the object for the response decorator to dump. Expiring it on
# commit would make that dump read the row again, after the commit: a connection lost in
# between turned a saved write into a 500, and the client's retry into a duplicate. The
# session lives for one request, so nothing it holds outlives the transaction it saw.
class Session(FlaskSession):
    """Flask-SQLAlchemy's session; ``commit`` only flushes while ``deferring_commit`` holds.

    An idempotent request (app.idempotency) runs its view that way, builds the answer, and
    commits the work and the stored answer in one transaction.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if has_app_context() and (user := g.pop(PENDING_USER, None)) is not None:
            attach(self, user)

    def commit(self) -> None:
        if self.info.get("defer_commit"):
            self.flush()
            return
        super().commit()


#: ``g`` key of the authenticated user read before the request had a session (app.auth).
PENDING_USER = "_user_for_session"


def attach(session: FlaskSession, obj: Any) -> None:
    """Put a detached object (``make_transient_to_detached``) in ``session``'s identity map.

    This is what ``Session.add`` ends with for a detached object, without what it does
    first: the save-update cascade over relationships (a fresh object has none loaded),
    the transaction autobegin (the first statement begins it, as for any read) and the
    attach events (nothing in this project listens to them).
    """
    state = instance_state(obj)
    session.identity_map.add(state)
    state.session_id = session.hash_key


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False, "class_": Session})
ma = Marshmallow()
migrate = Migrate()
cors = CORS()
