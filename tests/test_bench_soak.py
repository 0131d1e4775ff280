"""The soak run and the write scenarios' bodies (bench/soak.py, bench/writes.py).

The soak test serves a small full database with gunicorn and drives a few hundred requests
through it: it checks the report's shape and that the run leaves the database as it found
it (the posts it wrote deleted), never a timing or a memory figure.
"""

from __future__ import annotations

import json

import pytest

from app.markdown import render
from bench import seed, soak, writes


def test_the_rich_body_is_two_kilobytes_of_markdown_with_five_tags_and_a_summary():
    body = json.loads(writes.for_run(writes.rich_body()).replace("@N@", "1-1"))
    assert 1800 <= len(body["content"]) <= 2500
    assert len(body["tags"]) == 5 and body["summary"]
    assert body["title"].startswith(f"{writes.TITLE_MARK} rich ") and "@" not in body["title"]
    html = render(body["content"])
    for element in ("<h2>", "<h3>", "<ul>", "<ol>", "<a href=", "<pre><code", "<em>", "<strong>"):
        assert element in html


def test_each_run_gets_its_own_titles():
    first, second = writes.for_run(writes.plain_body()), writes.for_run(writes.plain_body())
    assert first != second and "@RUN@" not in first and "@N@" in first


def test_the_rotation_interleaves_the_mix_and_names_the_post():
    lines = soak.rotation(42, "run1")
    assert len(lines) == sum(weight for weight, *_ in soak.MIX)
    assert [line.split(" ", 2)[1] for line in lines[: len(soak.MIX)]] == [
        path.replace("@post@", "42") for _weight, _method, path, _body in soak.MIX
    ]
    posts = [line for line in lines if line.startswith("POST ")]
    assert posts and all("run1 @N@" in line for line in posts)


@pytest.fixture
def small_seed(monkeypatch):
    """A full database of a few rows: the seed's sizes made small for the test."""
    monkeypatch.setattr(seed, "USERS", 30)
    monkeypatch.setattr(seed, "FOLLOWED", 10)
    monkeypatch.setattr(seed, "REVOKED", 100)


def test_a_short_soak_reports_every_workers_memory_and_leaves_the_database_as_it_was(
    small_seed, tmp_path, capsys
):
    args = ["--backends", "sqlite", "--requests", "150", "--sample-every", "50"]
    assert soak.main([*args, "--posts", "40", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| sqlite |")]
    assert rows[0].startswith("| sqlite | 0 |") and len(rows) >= 2
    assert all(len(row.split("|")) == 2 + 2 + 2 for row in rows)  # two workers
    assert "sqlite: growth first sample → last: worker" in out
    assert "sqlite: errors 0" in out
    (full,) = [d for d in seed.databases(str(tmp_path), None, 40) if d.variant == "full"]
    assert seed.is_seeded(full, "s" * 48)  # its own posts deleted: the counts as seeded
