"""published posts per author and per tag, kept by triggers (app.counters)

The counts are derived data: the upgrade computes them from the rows, the downgrade drops
them with the triggers and loses nothing.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa

from app import counters


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN on SQLite too (no batch rebuild: with foreign keys on, dropping the old
    # users table would cascade to every post).
    op.add_column('users', sa.Column('published_posts', sa.Integer(), server_default='0', nullable=False))
    op.add_column('tags', sa.Column('published_posts', sa.Integer(), server_default='0', nullable=False))
    conn = op.get_bind()
    counters.create_triggers(conn)
    counters.recount(conn)


def downgrade():
    conn = op.get_bind()
    counters.drop_triggers(conn)
    if conn.dialect.name == 'sqlite':
        op.execute('ALTER TABLE tags DROP COLUMN published_posts')  # SQLite >= 3.35, no rebuild
        op.execute('ALTER TABLE users DROP COLUMN published_posts')
    else:
        op.drop_column('tags', 'published_posts')
        op.drop_column('users', 'published_posts')
