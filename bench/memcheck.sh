#!/usr/bin/env bash
# Memory check: runs every feature of the libpq layer once (COPY in and out,
# queries, streaming, pipeline, prepared statements, a failed statement, a
# transaction, password verifiers) under valgrind, against a throw-away cluster, and fails on any
# definite or indirect leak or memory error.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 69; }
swift build --product parkctl-bench >/dev/null
source bench/common.sh
bench_setup --product parkctl
valgrind --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=9 "$BIN/parkctl-bench" exercise "$CONN" 2>&1 |
    grep -E 'copied|definitely lost|indirectly lost|possibly lost|ERROR SUMMARY'
exit "${PIPESTATUS[0]}"
