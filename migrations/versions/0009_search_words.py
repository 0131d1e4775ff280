"""PostgreSQL: post_search_words, each post's words (its search vector stripped of positions
and weights) in a narrow table that a search walks newest first instead of posts, with its
title's, tags' and summary's words apart (each column's to_tsvector, stripped), which the
relevance score reads (title 10, tags 5, summary 4, as on SQLite)

Filled from the existing posts here; then kept in step by triggers on posts and the foreign
key's cascade (app.search.PG_WORDS_CREATE). SQLite: nothing (FTS5 reads its matches in id
order already).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28

"""
from alembic import op

from app import search


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    search.create_words(op.get_bind())


def downgrade():
    # Derived data only: the posts and their search vectors stay.
    search.drop_words(op.get_bind())
