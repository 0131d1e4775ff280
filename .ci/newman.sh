#!/usr/bin/env bash
# Run the Postman collection with newman against the app served by gunicorn.
# Exits non-zero when any assertion fails. newman is installed into .ci/node when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/serve.sh

ensure_newman

start_server
status=0
"$NEWMAN" run postman/blog-api.postman_collection.json \
  --environment postman/local.postman_environment.json \
  --env-var "baseUrl=$BASE_URL" \
  --timeout-request 30000 \
  --color off --disable-unicode \
  --reporters cli || status=$?
if [[ $status -ne 0 ]]; then
  echo "newman failed; server log:" >&2
  server_log | tail -50 >&2
fi
exit $status
