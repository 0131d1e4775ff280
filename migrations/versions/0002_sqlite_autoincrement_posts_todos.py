"""posts and todos never reuse a deleted row's id on SQLite (AUTOINCREMENT)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

SQLite gives a new row of a plain ``INTEGER PRIMARY KEY`` table the highest id + 1, so
deleting the newest post and writing another handed out the same id again: an old
``/api/v2/posts/<id>`` link then showed someone else's post. ``AUTOINCREMENT`` (as ``users``
has had since 0001) never reuses an id. SQLite cannot add it to an existing table, so the
table is rebuilt (batch mode copies rows, indexes and constraints). PostgreSQL's SERIAL
sequences never reuse ids: nothing to do there.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

TABLES = ('posts', 'todos')


def rebuild(autoincrement):
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        # Nothing references posts or todos, so dropping the old copy cascades nowhere.
        with op.batch_alter_table(
            table, recreate='always', table_kwargs={'sqlite_autoincrement': autoincrement}
        ):
            pass


def upgrade():
    rebuild(True)


def downgrade():
    rebuild(False)
