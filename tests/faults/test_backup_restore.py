"""Backups restore (defect 6): the procedures of docs/deploying.md, run for real. Back up,
lose the data, restore, and every row is back: SQLite's online ``.backup`` while the app
has the file open, PostgreSQL's ``pg_dump -Fc`` / ``pg_restore --clean``."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import TestingConfig
from app.extensions import db

from ..servers import migrate
from .servers import PASSWORD, _pg_binary, require


def fill(url: str) -> tuple[list[tuple], dict[str, str]]:
    """Migrate ``url``, write a user and posts through the API; return (rows, app env)."""
    env = {
        **os.environ,
        "FLASK_ENV": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": "backup-tests-secret-key-0123456789abcdefgh",
    }
    migrate(env)
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    assert (
        client.post("/api/v2/users", json={"username": "ann", "password": PASSWORD}).status_code
        == 201
    )
    token = client.post("/api/v2/auth/login", json={"username": "ann", "password": PASSWORD}).json[
        "access_token"
    ]
    for n in range(5):
        response = client.post(
            "/api/v2/posts",
            json={"title": f"post {n}", "content": "kept"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201
    with app.app_context():
        rows = posts(db.engine)
        db.engine.dispose()
    return rows, env


def posts(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.text(
                    "SELECT p.id, p.title, u.username FROM posts p "
                    "JOIN users u ON u.id = p.user_id "
                    "ORDER BY p.id"
                )
            )
        ]


def wipe(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM posts"))
        conn.execute(sa.text("DELETE FROM users"))


def test_sqlite_online_backup_restores_every_row(tmp_path):
    sqlite3 = require("sqlite3")
    live, backup = tmp_path / "blog.db", tmp_path / "backup.db"
    rows, _env = fill(f"sqlite:///{live}")
    engine = sa.create_engine(f"sqlite:///{live}")
    with engine.connect() as held:  # the app still has the file open: an online backup
        held.execute(sa.text("SELECT 1"))
        subprocess.run([sqlite3, str(live), f".backup '{backup}'"], check=True, timeout=60)
        check = subprocess.run(
            [sqlite3, str(backup), "PRAGMA integrity_check"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert check.stdout.strip() == "ok"
    wipe(engine)
    assert posts(engine) == []
    engine.dispose()

    # Restore: stop the app, put the backup in place (WAL files of the old one go too).
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"blog.db{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, live)

    restored = sa.create_engine(f"sqlite:///{live}")
    assert posts(restored) == rows
    restored.dispose()


@pytest.mark.slow
def test_postgresql_dump_and_restore_restores_every_row(fresh_postgres, tmp_path):
    pg_dump, pg_restore = _pg_binary("pg_dump"), _pg_binary("pg_restore")
    rows, _env = fill(fresh_postgres)
    libpq = fresh_postgres.replace("postgresql+psycopg://", "postgresql://")
    dump = tmp_path / "blog.dump"

    subprocess.run([pg_dump, "--format=custom", f"--file={dump}", libpq], check=True, timeout=120)
    engine = sa.create_engine(fresh_postgres)
    wipe(engine)
    assert posts(engine) == []
    engine.dispose()
    subprocess.run(
        [pg_restore, "--clean", "--if-exists", "--no-owner", f"--dbname={libpq}", str(dump)],
        check=True,
        timeout=120,
    )

    restored = sa.create_engine(fresh_postgres)
    assert posts(restored) == rows
    with restored.connect() as conn:  # the schema's version came back too
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    restored.dispose()
