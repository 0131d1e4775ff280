"""profiles and following: users.bio and users.image, the follows table

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

``follows`` has one row per (follower, followed) pair (its primary key), so following twice,
even at the same instant, stores one row; both ends cascade when a user is deleted. The
index on (followed_id, created_at) serves follower counts and lists; the primary key
(follower_id first) serves following counts, lists and the feed.
"""
import sqlalchemy as sa
from alembic import op

from app.migration_guard import confirm_destructive_downgrade


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # ADD COLUMN in place (SQLite supports it): no table rebuild, AUTOINCREMENT kept.
    op.add_column('users', sa.Column('bio', sa.String(length=500), nullable=True))
    op.add_column('users', sa.Column('image', sa.String(length=500), nullable=True))
    op.create_table(
        'follows',
        sa.Column('follower_id', sa.Integer(), nullable=False),
        sa.Column('followed_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('follower_id <> followed_id', name=op.f('ck_follows_not_self')),
        sa.ForeignKeyConstraint(
            ['followed_id'], ['users.id'],
            name=op.f('fk_follows_followed_id_users'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['follower_id'], ['users.id'],
            name=op.f('fk_follows_follower_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('follower_id', 'followed_id', name=op.f('pk_follows')),
    )
    op.create_index(
        'ix_follows_followed_id_created_at', 'follows', ['followed_id', 'created_at'], unique=False
    )


def downgrade():
    confirm_destructive_downgrade("0003 drops the follows table and every bio and image")
    op.drop_index('ix_follows_followed_id_created_at', table_name='follows')
    op.drop_table('follows')
    # Not batch mode: SQLite would rebuild ``users``, and dropping the old copy with foreign
    # keys on cascades to every post and todo. SQLite (3.35+) drops plain columns in place.
    for column in ('image', 'bio'):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE users DROP COLUMN {column}')
        else:
            op.drop_column('users', column)
