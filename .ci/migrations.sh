#!/usr/bin/env bash
# Migrations on PostgreSQL, as docs/deploying.md runs them: in a fresh schema, upgrade from
# empty to head, check the models need no new migration, downgrade to base, upgrade again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$([[ -x .venv-ci/bin/python ]] && echo .venv-ci/bin/python || echo python3)}"
BASE_URL="${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
SCHEMA="migrate_$("$PYTHON" -c 'import secrets; print(secrets.token_hex(6))')"

sql() {
  "$PYTHON" - "$BASE_URL" "$1" <<'PY'
import sys
import sqlalchemy as sa

engine = sa.create_engine(sys.argv[1])
with engine.begin() as conn:
    rows = conn.execute(sa.text(sys.argv[2]))
    if rows.returns_rows:
        print(" ".join(str(row[0]) for row in rows))
PY
}
tables() {
  sql "SELECT table_name FROM information_schema.tables WHERE table_schema = '$SCHEMA' \
       AND table_name <> 'alembic_version' ORDER BY table_name"
}

sql "CREATE SCHEMA \"$SCHEMA\""
trap 'sql "DROP SCHEMA IF EXISTS \"$SCHEMA\" CASCADE"' EXIT

export FLASK_ENV=production
export SECRET_KEY="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))')"
SEP="?"; [[ "$BASE_URL" == *"?"* ]] && SEP="&"
export DATABASE_URL="$BASE_URL${SEP}options=-csearch_path%3D$SCHEMA"
flask_db() { "$PYTHON" -m flask --app app db "$@"; }

# Every table the models declare, and the one the migrations make beside them on PostgreSQL
# (search's word table, app.search.WORDS_TABLE), sorted as tables() prints them.
EXPECTED="$("$PYTHON" -c 'import app.models; from app.extensions import db; from app.search import WORDS_TABLE; print(" ".join(sorted([*db.metadata.tables, WORDS_TABLE])))')"
echo "== upgrade (empty -> head) in schema $SCHEMA"
flask_db upgrade
[[ "$(tables)" == "$EXPECTED" ]] || { echo "tables: $(tables)"; exit 1; }
echo "== check: the models match the migrations"
flask_db check
echo "== a downgrade that drops every table refuses without confirmation"
if flask_db downgrade base 2>/dev/null; then echo "downgrade base ran unconfirmed"; exit 1; fi
echo "== downgrade base (confirmed)"
flask_db downgrade base -x confirm=yes
[[ -z "$(tables)" ]] || { echo "left behind: $(tables)"; exit 1; }
echo "== upgrade again"
flask_db upgrade
[[ "$(tables)" == "$EXPECTED" ]] || { echo "tables: $(tables)"; exit 1; }
echo "migrations OK on PostgreSQL"
