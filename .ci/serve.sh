# Sourced by .ci/newman.sh, .ci/realworld.sh and .ci/schemathesis.sh: run the app the production way on a
# free port against a fresh SQLite database, and stop it on exit.
#
#   start_server        sets BASE_URL; the server and its files go when the script exits
#
# PYTHON: the interpreter with the project's dependencies (default .venv-ci/bin/python, then
# python3). SERVER_DATABASE_URL: use this database instead of a temporary SQLite file.

PYTHON="${PYTHON:-}"
if [[ -z "$PYTHON" ]]; then
  if [[ -x .venv-ci/bin/python ]]; then PYTHON=.venv-ci/bin/python; else PYTHON=python3; fi
fi

SERVER_DIR=""
SERVER_PID=""

stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
  if [[ -n "$SERVER_DIR" ]]; then rm -rf "$SERVER_DIR"; fi
  SERVER_DIR=""
}

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_server() {
  SERVER_DIR="$(mktemp -d)"
  trap stop_server EXIT
  local port
  port="$(free_port)"
  # Production config, a throwaway secret, no login rate limit (the collections log in more
  # than 10 times a minute), the cheapest Argon2 production accepts so hashing does not dominate.
  export FLASK_ENV=production
  export SECRET_KEY="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))')"
  export DATABASE_URL="${SERVER_DATABASE_URL:-sqlite:///$SERVER_DIR/blog.db}"
  export RATELIMIT_ENABLED=false
  export ARGON2_TIME_COST=2 ARGON2_MEMORY_COST=19456 ARGON2_PARALLELISM=1  # OWASP minimum
  export CORS_ORIGINS="" PROXY_FIX_X_FOR=0 JWT_ISSUER="" JWT_AUDIENCE="" JWT_SECRET_KEY=""
  export PORT="$port" WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"

  "$PYTHON" -m flask --app app db upgrade >"$SERVER_DIR/migrate.log" 2>&1 \
    || { cat "$SERVER_DIR/migrate.log"; return 1; }
  "$PYTHON" -m gunicorn "app:create_app()" --bind "127.0.0.1:$port" \
    >"$SERVER_DIR/gunicorn.log" 2>&1 &
  SERVER_PID=$!
  BASE_URL="http://127.0.0.1:$port"
  for _ in $(seq 100); do
    if "$PYTHON" - "$BASE_URL/health" <<'PY' 2>/dev/null; then
import sys, urllib.request
sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200 else 1)
PY
      echo "server up at $BASE_URL (gunicorn pid $SERVER_PID, log $SERVER_DIR/gunicorn.log)"
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "gunicorn did not come up:" >&2
  cat "$SERVER_DIR/gunicorn.log" >&2
  return 1
}

server_log() {
  [[ -n "$SERVER_DIR" && -f "$SERVER_DIR/gunicorn.log" ]] && cat "$SERVER_DIR/gunicorn.log"
}

# newman, from npm into .ci/node (ignored by git) when missing; sets NEWMAN.
ensure_newman() {
  NEWMAN=.ci/node/node_modules/.bin/newman
  if [[ ! -x "$NEWMAN" ]]; then
    echo "installing newman into .ci/node"
    npm install --no-save --no-audit --no-fund --prefix .ci/node newman >/dev/null
  fi
}
