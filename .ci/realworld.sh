#!/usr/bin/env bash
# Run the official RealWorld API collection (postman/realworld/, verbatim) with newman against
# the app served by gunicorn, with the options of its own run-api-tests.sh. Exits non-zero
# when any assertion fails.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/serve.sh

ensure_newman

start_server
USERNAME="u$(date +%s)"
status=0
"$NEWMAN" run postman/realworld/Conduit.postman_collection.json \
  --delay-request "${DELAY_REQUEST:-100}" \
  --global-var "APIURL=$BASE_URL/api" \
  --global-var "USERNAME=$USERNAME" \
  --global-var "EMAIL=$USERNAME@mail.com" \
  --global-var "PASSWORD=password" \
  --timeout-request 30000 \
  --color off --disable-unicode \
  --reporters cli || status=$?
if [[ $status -ne 0 ]]; then
  echo "the RealWorld collection failed; server log:" >&2
  server_log | tail -50 >&2
fi
exit $status
