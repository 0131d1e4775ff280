#!/usr/bin/env bash
# Fuzz the running API against its own OpenAPI documents (v2, v1, RealWorld) with schemathesis.
# Fails on any 5xx, any answer that does not match its documented schema, any status code
# or required header the document does not list. Needs the `ci` extra (pip install '.[ci]').
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/serve.sh

MAX_EXAMPLES="${MAX_EXAMPLES:-20}"
CHECKS="not_a_server_error,response_schema_conformance,status_code_conformance"
CHECKS="$CHECKS,content_type_conformance,response_headers_conformance"

if ! "$PYTHON" -c 'import schemathesis' 2>/dev/null; then
  echo "installing schemathesis (the ci extra)"
  "$PYTHON" -m pip install -q 'schemathesis>=4.0'
fi
SCHEMATHESIS="$(dirname "$PYTHON")/schemathesis"
[[ -x "$SCHEMATHESIS" ]] || SCHEMATHESIS=schemathesis

start_server

# A user of our own and an access token for the Authorization header.
token() {
  "$PYTHON" - "$BASE_URL" "$1" <<'PY'
import json, secrets, sys, urllib.request

base, version = sys.argv[1], sys.argv[2]
name, password = f"fuzz-{version}-{secrets.token_hex(4)}", secrets.token_urlsafe(16)

def post(path, body):
    req = urllib.request.Request(
        base + path, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    return json.load(urllib.request.urlopen(req, timeout=10))

post("/api/v2/users", {"username": name, "password": password})
print(post("/api/v2/auth/login", {"username": name, "password": password})["access_token"])
PY
}

run() {  # run VERSION [extra schemathesis options]
  local version="$1"; shift
  echo "=== schemathesis: /api/$version ($*)"
  "$SCHEMATHESIS" run "$BASE_URL/api/$version/openapi.json" \
    --checks "$CHECKS" \
    --max-examples "$MAX_EXAMPLES" \
    --phases examples,coverage,fuzzing \
    --header "Authorization: Bearer $(token "$version")" \
    --generation-database none \
    --request-timeout 10 \
    --seed "${SEED:-20261122}" \
    --no-color \
    "$@"
}

status=0
for version in v2 v1; do
  # Logging out revokes the token every other operation uses: fuzz those last, apart.
  run "$version" --exclude-path-regex 'logout' || status=1
  run "$version" --include-path-regex 'logout' || status=1
done

# The RealWorld face (/api): its own token (Authorization: Token). PUT /user may change the
# password, which ends every token: fuzz it last, apart.
realworld_token() {
  "$PYTHON" - "$BASE_URL" <<'PY'
import json, secrets, sys, urllib.request

name = f"fuzzrw{secrets.token_hex(4)}"
body = {"user": {"username": name, "email": f"{name}@example.com", "password": secrets.token_urlsafe(16)}}
req = urllib.request.Request(
    sys.argv[1] + "/api/users", json.dumps(body).encode(), {"Content-Type": "application/json"}
)
print(json.load(urllib.request.urlopen(req, timeout=10))["user"]["token"])
PY
}
run_realworld() {
  echo "=== schemathesis: /api ($*)"
  "$SCHEMATHESIS" run "$BASE_URL/api/openapi.json" \
    --checks "$CHECKS" \
    --max-examples "$MAX_EXAMPLES" \
    --phases examples,coverage,fuzzing \
    --header "Authorization: Token $(realworld_token)" \
    --generation-database none \
    --request-timeout 10 \
    --seed "${SEED:-20261122}" \
    --no-color \
    "$@"
}
run_realworld --exclude-path-regex '^/user$' || status=1
run_realworld --include-path-regex '^/user$' || status=1
if [[ $status -ne 0 ]]; then
  echo "schemathesis found problems; server log tail:" >&2
  server_log | grep -v '" [1-4][0-9][0-9] ' | tail -80 >&2
fi
exit $status
