#!/usr/bin/env bash
# Run the throughput benchmark from the repository root: bench/run.sh [--rounds N] [--seconds S] ...
# PostgreSQL is included when BENCH_DATABASE_URL or TEST_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk not found (apt-get install wrk); using the slower Python load generator" >&2
fi
exec "$PYTHON" -m bench "$@"
