"""sessions for browsers: one row per signed-in device, mailed single-use tokens (password
reset, e-mail verification) and users.email_verified

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28

Every token now carries the id of its session (``sid``): tokens issued before this
revision have none and are refused, so everyone signs in once more after the upgrade.
"""
import sqlalchemy as sa
from alembic import op

from app.migration_guard import confirm_destructive_downgrade

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # ADD COLUMN in place (SQLite supports it): no table rebuild, AUTOINCREMENT kept.
    op.add_column(
        'users',
        sa.Column('email_verified', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_table(
        'sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=False),
        sa.Column('user_agent', sa.String(length=255), nullable=True),
        sa.Column('refresh_jti', sa.String(length=32), nullable=True),
        sa.Column('refresh_issued_at', sa.BigInteger(), nullable=True),
        sa.Column('previous_refresh_jti', sa.String(length=32), nullable=True),
        sa.Column('rotated_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_sessions_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions')),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f('ix_sessions_user_id'), 'sessions', ['user_id'], unique=False)
    op.create_table(
        'account_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_account_tokens_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_account_tokens_token_hash')),
    )
    op.create_index(
        op.f('ix_account_tokens_expires_at'), 'account_tokens', ['expires_at'], unique=False
    )
    op.create_index(op.f('ix_account_tokens_user_id'), 'account_tokens', ['user_id'], unique=False)


def downgrade():
    # Sessions and mailed tokens are short-lived (the older code signs everyone out anyway);
    # which addresses were verified is not: ask for confirmation only when that is lost.
    verified = op.get_bind().execute(
        sa.text('SELECT COUNT(*) FROM users WHERE email_verified')
    ).scalar()
    if verified:
        confirm_destructive_downgrade("0008 drops which e-mail addresses were verified")
    op.drop_index(op.f('ix_account_tokens_user_id'), table_name='account_tokens')
    op.drop_index(op.f('ix_account_tokens_expires_at'), table_name='account_tokens')
    op.drop_table('account_tokens')
    op.drop_index(op.f('ix_sessions_user_id'), table_name='sessions')
    op.drop_table('sessions')
    # Not batch mode: SQLite would rebuild ``users``, and dropping the old copy with foreign
    # keys on cascades to every post and todo. SQLite (3.35+) drops plain columns in place.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE users DROP COLUMN email_verified')
    else:
        op.drop_column('users', 'email_verified')
