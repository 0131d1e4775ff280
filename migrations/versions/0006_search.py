"""full-text search: posts.search_tags, and the FTS5 table (SQLite) or tsvector + GIN (PostgreSQL);
covering indexes for the feed, ?tag= and search lists

Existing posts get their tag names and are indexed here: SQLite rebuilds the external-content
FTS5 table from posts; on PostgreSQL adding the stored generated column computes it for every
row. The index objects are the ones app.search creates for db.create_all().

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa

from app import search


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on SQLite too: a batch rebuild of posts would drop the old table,
    # and with foreign keys on that deletes every comment, like and slug row with it.
    op.add_column('posts', sa.Column('search_tags', sa.Text(), nullable=True))
    conn = op.get_bind()
    if conn.dialect.name == 'postgresql':
        names = "string_agg(tags.name, ' ' ORDER BY tags.name)"
    else:
        names = "group_concat(tags.name, ' ')"
    op.execute(
        f"UPDATE posts SET search_tags = (SELECT {names} FROM post_tags "
        "JOIN tags ON tags.id = post_tags.tag_id WHERE post_tags.post_id = posts.id) "
        "WHERE EXISTS (SELECT 1 FROM post_tags WHERE post_tags.post_id = posts.id)"
    )
    search.create_index(conn, backfill=True)
    op.create_index('ix_posts_user_id_published_created_at', 'posts', ['user_id', 'published', 'created_at'])
    op.create_index('ix_posts_id_published_created_at', 'posts', ['id', 'published', 'created_at'])


def downgrade():
    # Only derived data goes: the index and the tag names (the tags stay in post_tags).
    conn = op.get_bind()
    op.drop_index('ix_posts_id_published_created_at', 'posts')
    op.drop_index('ix_posts_user_id_published_created_at', 'posts')
    search.drop_index(conn)
    if conn.dialect.name == 'sqlite':
        op.execute('ALTER TABLE posts DROP COLUMN search_tags')  # SQLite >= 3.35, no rebuild
    else:
        op.drop_column('posts', 'search_tags')
