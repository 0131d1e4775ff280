"""PostgreSQL: the authors' published-post counts moved at commit, by a deferred constraint
trigger (counters_posts_users), instead of in the INSERT or UPDATE (app.counters)

An immediate trigger held the author's users row locked from the INSERT to the end of the
transaction, so one author's concurrent posts waited on each other; deferred, the row is
locked only during COMMIT. The tags' counts stay immediate (counters_posts_au, AFTER UPDATE OF
published). The counts do not change, so nothing is recounted. Idempotent: the triggers are
dropped, whichever set is there (a database made since this revision already has the new
one, from 0007's counters.create_triggers), and created as app.counters has them. The
downgrade puts back the single immediate trigger, from a copy of its DDL kept below.
SQLite: nothing (no row locks; its triggers stay as they are).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29

"""
from alembic import op

from app import counters


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# app.counters.PG_CREATE before this revision, verbatim, for the downgrade.
PG_CREATE_0007 = [
    """CREATE OR REPLACE FUNCTION counters_posts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF NEW.published THEN
                UPDATE users SET published_posts = published_posts + 1 WHERE id = NEW.user_id;
            END IF;
            RETURN NULL;
        ELSIF TG_OP = 'DELETE' THEN
            IF OLD.published THEN
                UPDATE users SET published_posts = published_posts - 1 WHERE id = OLD.user_id;
                UPDATE tags SET published_posts = published_posts - 1
                    WHERE id IN (SELECT tag_id FROM post_tags WHERE post_id = OLD.id);
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.published IS DISTINCT FROM NEW.published
                OR OLD.user_id IS DISTINCT FROM NEW.user_id THEN
            IF OLD.published THEN
                UPDATE users SET published_posts = published_posts - 1 WHERE id = OLD.user_id;
            END IF;
            IF NEW.published THEN
                UPDATE users SET published_posts = published_posts + 1 WHERE id = NEW.user_id;
            END IF;
        END IF;
        IF OLD.published IS DISTINCT FROM NEW.published THEN
            UPDATE tags SET published_posts = published_posts
                    + CASE WHEN NEW.published THEN 1 ELSE -1 END
                WHERE id IN (SELECT tag_id FROM post_tags WHERE post_id = NEW.id);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION counters_post_tags() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE tags SET published_posts = published_posts + 1 WHERE id = NEW.tag_id
                AND EXISTS (SELECT 1 FROM posts WHERE id = NEW.post_id AND published);
        ELSE
            UPDATE tags SET published_posts = published_posts - 1 WHERE id = OLD.tag_id
                AND EXISTS (SELECT 1 FROM posts WHERE id = OLD.post_id AND published);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER counters_posts_aiu AFTER INSERT OR UPDATE OF published, user_id ON posts
        FOR EACH ROW EXECUTE FUNCTION counters_posts()""",
    """CREATE TRIGGER counters_posts_bd BEFORE DELETE ON posts
        FOR EACH ROW EXECUTE FUNCTION counters_posts()""",
    """CREATE TRIGGER counters_post_tags AFTER INSERT OR DELETE ON post_tags
        FOR EACH ROW EXECUTE FUNCTION counters_post_tags()""",
]


def upgrade():
    conn = op.get_bind()
    if conn.dialect.name != 'postgresql':
        return
    counters.drop_triggers(conn)  # either set: counters_posts_aiu, or the new ones
    counters.create_triggers(conn)


def downgrade():
    conn = op.get_bind()
    if conn.dialect.name != 'postgresql':
        return
    counters.drop_triggers(conn)  # drops every name either revision uses
    for statement in PG_CREATE_0007:
        conn.exec_driver_sql(statement)
